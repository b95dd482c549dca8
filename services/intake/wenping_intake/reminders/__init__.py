"""Reminders (提醒): what is due or overdue for the caller, computed from the data."""
