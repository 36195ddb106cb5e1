"""Per-process sliding-window rate limits for the abuse-prone routes (logins, profile changes).

A refusal is 429 `rate_limited` problem+json with `Retry-After` (seconds until the oldest
counted hit leaves the window). The gateway runs as one process per deployment unit; several
replicas would each count on their own, which still bounds the rate per replica.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from fastapi import Request

from plumbing.errors import DomainError


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._clock = clock

    def hit(self, bucket: str, key: str, limit: int, window_s: float) -> None:
        """Count one hit, or raise `rate_limited` if `limit` hits are already in the window."""
        now = self._clock()
        hits = self._hits.setdefault((bucket, key), deque())
        while hits and hits[0] <= now - window_s:
            hits.popleft()
        if len(hits) >= limit:
            wait = max(1, math.ceil(hits[0] + window_s - now))
            raise DomainError(
                "rate_limited",
                f"too many {bucket} requests; try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        hits.append(now)
        if len(self._hits) > 100_000:  # bound memory under a spray of distinct keys
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - window_s}


def limiter_of(request: Request) -> RateLimiter:
    state: Any = request.app.state
    if not hasattr(state, "rate_limiter"):
        state.rate_limiter = RateLimiter()
    limiter: RateLimiter = state.rate_limiter
    return limiter


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit(request: Request, bucket: str, key: str) -> None:
    """Apply the configured limit of `bucket` (settings `rate_<bucket>` hits per window)."""
    settings = request.app.state.settings
    limiter_of(request).hit(
        bucket, key, int(getattr(settings, f"rate_{bucket}")), settings.rate_window_s
    )
