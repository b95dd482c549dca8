"""Decision lists (决策清单): a department's start-of-year or mid-year batch of projects."""
