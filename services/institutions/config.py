"""Institutions service settings (JINENG_* environment variables)."""

from __future__ import annotations

from pathlib import Path

from plumbing.settings import REPO_ROOT, CommonSettings


class Settings(CommonSettings):
    # The Jining key-industry and general catalogues, loaded on startup (sample figures).
    catalogue_csv: Path = REPO_ROOT / "data" / "catalogue-jining.csv"
