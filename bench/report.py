"""The benchmark's figures: tables on stdout, JSON, the latency plot and the last line."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any


def machine(pg_version: str) -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "postgres": pg_version,
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "commit": _commit(),
    }


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout.strip()
    except OSError:
        return ""


def table(title: str, header: list[str], rows: list[list[Any]]) -> str:
    cells = [header, *[[_fmt(c) for c in r] for r in rows]]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(header))]
    lines = [title]
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(
                str(c).rjust(w) if i else str(c).ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def render(result: dict[str, Any]) -> str:
    """The human-readable tables."""
    out = []
    m = result["machine"]
    out.append(
        f"machine: {m['nproc']} cores, {m['cpu_model']}, PostgreSQL {m['postgres']}, "
        f"load average at start {m['loadavg_at_start']}"
    )
    cfg = result["config"]
    out.append(
        f"rounds={cfg['rounds']} (floor → service → gateway, interleaved, for the selection "
        "and for the full flow), "
        f"select n={cfg['select_n']} c={cfg['select_concurrency']}, "
        f"flow n={cfg['flow_n']} c={cfg['flow_concurrency']}, cohort={cfg['cohort']}"
    )
    rows = []
    for what in ("select", "flow"):
        for variant in ("floor", "service", "gateway"):
            runs = result[what]["per_round"].get(variant)
            if runs:
                rows.append([what, variant, *runs, result[what]["median"][variant]])
    out.append(
        table(
            "\nthroughput per round (per second; select = selections, flow = full flows)",
            ["step", "variant", *[f"r{i + 1}" for i in range(cfg["rounds"])], "median"],
            rows,
        )
    )
    r = result["ratios"]
    out.append(
        table(
            "\nratios (throughput, median of the rounds' ratios; higher is better)",
            ["step", "gateway ÷ service", "service ÷ floor"],
            [
                ["select", r["select_gateway_vs_service"], r["select_service_vs_floor"]],
                ["flow", r["flow_gateway_vs_service"], r["flow_service_vs_floor"]],
            ],
        )
    )
    ol = result["open_loop"]
    rows = [
        [
            s,
            v["n"],
            v["p50_ms"],
            v["p95_ms"],
            v["p99_ms"],
            result["sql_statements_per_step"][s].get("floor"),
            result["sql_statements_per_step"][s]["services"],
            result["sql_statements_per_step"][s]["gateway"],
        ]
        for s, v in ol["steps"].items()
    ]
    f = ol["flow"]
    rows.append(["(whole flow)", f["n"], f["p50_ms"], f["p95_ms"], f["p99_ms"], None, None, None])
    out.append(
        table(
            f"\nlatency per step (ms), open loop at {ol['rate_per_s']:.1f} flows/s = half the "
            f"maximum (achieved {ol['achieved_per_s']:.1f}); SQL statements per step",
            ["step", "n", "p50", "p95", "p99", "sql (floor)", "sql (services)", "sql (gateway)"],
            rows,
        )
    )
    rows = [
        [
            s["fraction"],
            s["offered_per_s"],
            s["achieved_per_s"],
            s["p50_ms"],
            s["p95_ms"],
            s["p99_ms"],
        ]
        for s in result["sweep"]
    ]
    out.append(
        table(
            "\nflow latency against offered load (open loop)",
            ["× max", "offered/s", "achieved/s", "p50 ms", "p95 ms", "p99 ms"],
            rows,
        )
    )
    cpu = result["cpu_us_per_request"]
    procs = sorted({p for v in cpu.values() for p in v})
    out.append(
        table(
            "\nCPU µs per request, by process (request = one call of the variant's client; "
            "postgres = server and backends; loadgen = this benchmark)",
            ["segment", *procs],
            [[seg, *[v.get(p) for p in procs]] for seg, v in cpu.items()],
        )
    )
    perflow = result["cpu_ms_per_flow"]
    out.append(
        table(
            "\nCPU ms per full flow, by process",
            ["segment", *procs, "total"],
            [[seg, *[v.get(p) for p in procs], sum(v.values())] for seg, v in perflow.items()],
        )
    )
    check = result.get("floor_check")
    if check:
        out.append(
            "\nfloor flows checked after the run: "
            + ", ".join(f"{k}={v}" for k, v in check.items())
        )
    out.append(
        f"\n503 answers (the gateway could not reach a service; each call was sent again): "
        f"{result.get('unavailable_503', 0)}"
    )
    return "\n".join(out)


def last_line(summary: dict[str, Any]) -> str:
    return (
        f"bench: flows_per_s={summary['flows_per_s']:.1f} "
        f"gateway_vs_service={summary['gateway_vs_service']:.2f} "
        f"service_vs_floor={summary['service_vs_floor']:.2f} "
        f"p99_ms={summary['p99_ms']:.1f}"
    )


def write_json(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def plot(result: dict[str, Any], path: Path) -> None:
    """Flow latency (p50, p95, p99) and the slowest step's p99 against offered load."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sweep = result["sweep"]
    x = [s["offered_per_s"] for s in sweep]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, style in (("p50_ms", "o-"), ("p95_ms", "s-"), ("p99_ms", "^-")):
        ax.plot(x, [s[key] for s in sweep], style, label=f"whole flow {key[:3]}")
    ax.plot(x, [s["step_p99_ms"] for s in sweep], "x--", label="slowest step p99")
    ax.axhline(50, color="grey", linestyle=":", label="50 ms (per-step target)")
    ax.set_xlabel("offered load (full flows per second, open loop)")
    ax.set_ylabel("latency (ms)")
    ax.set_yscale("log")
    ax.set_title("Jineng five-order flow through the gateway (PostgreSQL)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


__all__ = ["last_line", "machine", "plot", "render", "write_json"]
