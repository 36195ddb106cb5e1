"""The worker's valid certificates, read from evaluation for enrolment's certificate rule."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from gateway.clients import Downstream
from plumbing.principal import Principal

# Evaluation pages at most 200; nobody holds more certificates than that.
PAGE = 200


async def held_certificates(
    request: Request, svc: Downstream, worker: Principal
) -> list[dict[str, Any]]:
    """`[{occupation_code, level}]` of the worker's certificates that are not revoked."""
    page = await svc.evaluation.call(
        request,
        "GET",
        "/v1/certificates",
        worker,
        params={"worker_id": worker.id, "status": "valid", "limit": PAGE},
    )
    return [
        {"occupation_code": c["occupation_code"], "level": c["level"]}
        for c in page["items"]
        if c.get("status") != "revoked"
    ]
