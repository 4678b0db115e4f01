"""Form schemas: loading, checking and validating user-task submissions against JSON Schema."""
