"""Statistics for the stability office (统计分析)."""
