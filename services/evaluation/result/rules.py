"""The pass rule, in one place."""

from __future__ import annotations

DEFAULT_PASS_MARK = 60.0


def pass_mark(occupation_code: str, level: int) -> float:
    """PLAN §二.(三).12–13: evaluation is differentiated by trade; until per-trade marks are
    published, every occupation and level passes at 60 of 100."""
    return DEFAULT_PASS_MARK


def passes(occupation_code: str, level: int, score: float) -> bool:
    return score >= pass_mark(occupation_code, level)
