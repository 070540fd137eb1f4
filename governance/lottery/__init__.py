"""Fair lotteries: drawing households or group members by lot, with quotas, verifiably."""
