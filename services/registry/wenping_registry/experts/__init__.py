"""The expert pool (专家库): import and export spreadsheets."""
