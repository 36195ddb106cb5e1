"""Evaluation results: one per order, recorded by an evaluator of an active body."""
