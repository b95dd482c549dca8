"""The risk watch (风险监测): the supervisor's board, the warning register and the similarity flags."""
