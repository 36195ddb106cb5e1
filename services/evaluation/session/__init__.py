"""Evaluation sessions a body schedules, and the candidates registered for them."""
