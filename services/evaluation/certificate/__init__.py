"""Skill certificates: issued with a passed result, publicly verifiable, revocable."""
