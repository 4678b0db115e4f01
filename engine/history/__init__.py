"""History: the hash-chained event log, replay, time travel, coverage and heatmaps."""
