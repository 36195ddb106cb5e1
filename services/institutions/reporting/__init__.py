"""Quotas per unit and year, and the units' monthly reports (signed-off snapshots)."""
