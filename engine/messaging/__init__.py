"""Messages between instances: what each instance waits for, and delivery of thrown and posted messages."""
