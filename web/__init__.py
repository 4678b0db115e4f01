"""Web layer: Flask app factory and the `casedesk` command line."""
