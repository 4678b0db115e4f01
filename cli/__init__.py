"""The casedesk command line."""
