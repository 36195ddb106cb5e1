"""Evaluation service settings (JINENG_* environment variables)."""

from __future__ import annotations

from plumbing.settings import CommonSettings


class Settings(CommonSettings):
    """Nothing of its own yet: `demo` (JINENG_DEMO) seeds the demo evaluation body."""
