"""After the decision: tracking of measures (跟踪问效) and the effect evaluation (效果评价)."""
