"""Yearly appraisal (考核) of organisations and regions under a versioned, per-region scoring scheme."""
