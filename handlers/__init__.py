"""Service-task handlers: plain functions registered by operator name in `registry`."""
