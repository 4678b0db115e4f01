"""Jobs: timers, retries, timer starts, the worker and incidents."""
