"""Institutions service settings (JINENG_* environment variables)."""

from __future__ import annotations

from pathlib import Path

from plumbing.settings import REPO_ROOT, CommonSettings


class Settings(CommonSettings):
    # The Jining key-industry and general catalogues, loaded on startup (sample figures).
    catalogue_csv: Path = REPO_ROOT / "data" / "catalogue-jining.csv"

    # The watch list (PLAN §二.(三).14): an institution past any of these is proposed to
    # government for a closer look (never suspended automatically). Rates need a sample.
    watch_min_score: int = 60
    watch_min_completion_rate: float = 0.7
    watch_min_pass_rate: float = 0.6
    watch_max_rejected_claim_rate: float = 0.2
    watch_min_sample: int = 5
    watch_max_major_findings: int = 1
