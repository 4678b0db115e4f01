"""Runtime: one step of an instance, its stored state, routing, waits and the read model."""
