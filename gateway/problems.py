"""OpenAPI documentation of the problem codes each route can return."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from plumbing.errors import CODES, PROBLEM_JSON, PROBLEM_TYPE_BASE


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable machine `code` and the request id."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="stable machine code; switch on this, not on the title")
    instance: str | None = None
    request_id: str | None = None
    current_status: str | None = Field(
        default=None, description="with invalid_state: the resource's current status"
    )


# What any route may answer: its input refused, or a downstream service down (503), timed out
# (504) or answering nonsense (502).
COMMON = ("validation_failed", "bad_gateway", "service_unavailable", "gateway_timeout")
AUTH = ("unauthorized", "invalid_token", "forbidden", *COMMON)
# Statuses whose problem always carries `Retry-After` (seconds): waiting helps.
RETRY_AFTER = (423, 429, 503, 504)
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def problems(*codes: str, auth: bool = True) -> dict[int | str, dict[str, Any]]:
    """The `responses` entry for these codes, grouped by HTTP status, with an example each."""
    extra = AUTH if auth else COMMON
    all_codes = list(codes) + [c for c in extra if c not in codes]
    by_status: dict[int, list[str]] = {}
    for code in all_codes:
        by_status.setdefault(CODES[code][0], []).append(code)
    out: dict[int | str, dict[str, Any]] = {}
    for status, group in sorted(by_status.items()):
        out[status] = {
            "description": "Problem codes: " + ", ".join(f"`{c}`" for c in group),
            **({"headers": RETRY_AFTER_HEADER} if status in RETRY_AFTER else {}),
            "content": {
                PROBLEM_JSON: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "examples": {
                        code: {
                            "value": {
                                "type": PROBLEM_TYPE_BASE + code,
                                "title": CODES[code][1],
                                "status": status,
                                "detail": CODES[code][2],
                                "code": code,
                                "request_id": "5f0c6a1e9b2d4c7f8a3e1d2c4b5a6978",
                            }
                        }
                        for code in group
                    },
                }
            },
        }
    return out


def doc(
    model: type[BaseModel] | None, *codes: str, status: int = 200, auth: bool = True
) -> dict[str, Any]:
    """Route decorator arguments: the success model and the problems."""
    responses = problems(*codes, auth=auth)
    if model is not None:
        responses[status] = {"model": model}
    return {"status_code": status, "responses": responses}


def add_body_limit(schema: dict[str, Any]) -> None:
    """Every operation that takes a body may answer 413 (gateway.bodylimit): the limit is on
    the whole body, which no field's schema can express."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                operation["responses"].setdefault(
                    "413", problems("payload_too_large", auth=False)[413]
                )
