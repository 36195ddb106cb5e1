"""`python -m bench --quick` on the test PostgreSQL server: it starts its own stack, runs
every variant and writes its figures. Checks the output's shape, never the speed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plumbing.settings import REPO_ROOT

LAST_LINE = re.compile(
    r"^bench: flows_per_s=(?P<flows>[\d.]+) gateway_vs_service=(?P<gw>[\d.]+) "
    r"service_vs_floor=(?P<floor>[\d.]+) p99_ms=(?P<p99>[\d.]+)$"
)


@pytest.mark.stack
def test_quick_bench_prints_the_summary_and_writes_json_and_plot(
    postgres: str, tmp_path: Path
) -> None:
    env = {**os.environ, "BENCH_DATABASE_URL": postgres}
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    last = run.stdout.strip().splitlines()[-1]
    found = LAST_LINE.match(last)
    assert found, last
    assert all(float(v) > 0 for v in found.groupdict().values()), last

    result = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    for variant in ("floor", "service", "gateway"):
        assert result["select"]["median"][variant] > 0
    for variant in ("floor", "service", "gateway"):
        assert result["flow"]["median"][variant] > 0
    assert result["ratios"]["select_gateway_vs_service"] > 0
    assert result["ratios"]["select_service_vs_floor"] > 0
    assert result["ratios"]["flow_gateway_vs_service"] > 0
    assert result["ratios"]["flow_service_vs_floor"] > 0
    # The floor replays the services' recorded SQL: statement for statement, step by step
    # (the listing's notifications depend on how many requests are open at the time).
    for step, counts in result["sql_statements_per_step"].items():
        if step == "listing":
            assert 0 < counts["floor"] <= counts["services"]
        else:
            assert counts["floor"] == counts["services"] > 0, step
    # Its flows did the work: every order and claim paid, the ledger balanced, a valid
    # certificate each, and enrolment's own check of the audit chain passes.
    check = result["floor_check"]
    assert check["orders_paid"] == check["claims_paid"] == check["certificates"] > 0
    assert check["ledger_transactions"] == check["orders_paid"]
    assert check["unbalanced"] == 0
    assert check["audit_chain_ok"] is True
    assert result["cpu_ms_per_flow"]["flow floor"]["postgres"] > 0
    steps = result["open_loop"]["steps"]
    for step in ("select", "accept", "attend", "result", "claim", "pay"):
        assert 0 < steps[step]["p50_ms"] <= steps[step]["p99_ms"]
    # Statements per step come from the services' x-sql-statements headers.
    assert result["sql_statements_per_step"]["select"]["services"] > 0
    assert result["sql_statements_per_step"]["pay"]["gateway"] > 0  # the idempotency record
    cpu = result["cpu_us_per_request"]["flow gateway"]
    for process in ("gateway", "enrolment", "institutions", "evaluation", "loadgen"):
        assert cpu[process] > 0
    assert [s["fraction"] for s in result["sweep"]] == [0.5, 1.0]
    summary = result["summary"]
    assert summary["flows_per_s"] == pytest.approx(float(found["flows"]), abs=0.06)
    assert (tmp_path / "latency.png").read_bytes().startswith(b"\x89PNG")
