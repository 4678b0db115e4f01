"""Documents attached to forms: content stored once by SHA-256, sniffed, referenced from task data."""
