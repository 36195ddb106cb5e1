"""Every cross-service check, run over one snapshot, and the report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from scripts.consistency import evaluation_refs, institutions_refs
from scripts.consistency.snapshot import Finding, Findings, Snapshot, load

CHECKS = (
    institutions_refs.accounts_and_units,
    institutions_refs.offerings_and_orders,
    institutions_refs.class_plans,
    evaluation_refs.results_and_orders,
    evaluation_refs.certificates_candidates_entitlements,
    evaluation_refs.claims,
)


def check(s: Snapshot) -> list[Finding]:
    """Every finding in the snapshot; none means the services agree."""
    out = Findings()
    for rule in CHECKS:
        rule(s, out)
    return list(out)


def report(s: Snapshot, findings: list[Finding]) -> dict[str, Any]:
    return {
        "consistent": not findings,
        "rows": {name: len(rows) for name, rows in vars(s).items()},
        "by_check": dict(Counter(f.check for f in findings)),
        "findings": [asdict(f) for f in findings],
    }


async def run(urls: Mapping[str, str]) -> dict[str, Any]:
    """Load the four databases and report what disagrees."""
    snapshot = await load(urls)
    return report(snapshot, check(snapshot))
