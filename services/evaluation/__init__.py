"""Evaluation service: evaluation bodies, results, certificates (public verification)."""
