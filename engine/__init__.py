"""casedesk engine: SpiffWorkflow integration, persistence, runtime, history."""
