"""The ledger as Excel: the project list's filtered projects with their key ledger dates."""
