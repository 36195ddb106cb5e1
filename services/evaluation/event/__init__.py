"""The audit trail: one row per lifecycle transition, with actor and reason."""
