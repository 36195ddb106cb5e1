"""What the gateway accepts at the door, and how a client's value travels on.

Every request body derives from `RequestModel`: unknown fields are refused (a typo or a field
the client hopes to smuggle in — `status`, `paid_at`, `worker_id` — is a 422, never silently
dropped), and no string is longer than `MAX_STRING` unless the field says less.
`tests/gateway/test_limits.py` walks the routes and fails on a body model that is not one.

Every integer is bounded (`Id`, `MAX_ID`): ids live in PostgreSQL `integer` columns, so a
larger number is a 422 here, never a database error in a service.
`tests/gateway/test_fuzz.py::test_every_integer_is_bounded` fails on one that is not.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

MAX_STRING = 4000
MAX_ID = 2**31 - 1  # the largest PostgreSQL `integer`

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=MAX_STRING)


def path_segment(value: str) -> str:
    """A client's string as one segment of a service URL. Without this, `?` or `#` would
    start the internal call's query or fragment, and `..` would climb to another route of
    the service (the HTTP client resolves dot segments)."""
    return quote(value, safe="").replace(".", "%2E")
