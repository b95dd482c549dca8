"""Yearly assessment targets (目标管理) set by a supervisor; progress is computed from projects."""
