"""Benchmarks of casedesk, each printing ratios measured in the same run."""
