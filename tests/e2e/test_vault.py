"""Personal data at rest (issue 9, item 6): after the end-to-end flows have run, dump every
table of every process's database with SQL and scan the dump and every process's log for a
valid resident ID number (GB 11643, checked by stdnum's cn.ric) in clear. One is a failure.

The file is named to run last among the e2e tests of its backend, so the dump holds what the
whole suite wrote (workers, orders, candidates, claims, payments, audit trails).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx
from sqlalchemy import MetaData, select
from stdnum.cn import ric

from plumbing.db import make_engine
from tests.e2e.client import Api, id_number
from tests.stack import RunningStack

# 18 characters standing alone: not a slice of a longer hex hash or base64 token.
CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def ids_in_clear(texts: Iterable[str]) -> list[str]:
    return sorted({m for text in texts for m in CANDIDATE.findall(text) if ric.is_valid(m)})


def test_the_scan_finds_an_id_number_and_ignores_hashes() -> None:
    valid = id_number()
    assert ids_in_clear([f"name=王小明 id={valid} ok"]) == [valid]
    assert ids_in_clear([f'{{"id_number": "{valid}"}}']) == [valid]
    assert ids_in_clear([f"a9{valid}ff", "11010519491231002"]) == []  # inside a hash; 17 digits


async def dump(url: str) -> tuple[list[str], dict[str, int]]:
    """Every row of every table, as text; and the row count of each table."""
    engine = make_engine(url)
    texts: list[str] = []
    counts: dict[str, int] = {}
    try:
        async with engine.connect() as conn:
            metadata = MetaData()
            await conn.run_sync(metadata.reflect)
            for table in metadata.sorted_tables:
                rows = (await conn.execute(select(table))).all()
                counts[table.name] = len(rows)
                texts.extend(" | ".join(str(v) for v in row) for row in rows)
    finally:
        await engine.dispose()
    return texts, counts


async def test_no_id_number_in_clear_in_any_database_or_log(
    stack: RunningStack, gateway: httpx.AsyncClient
) -> None:
    # A profile of our own, so the scan is never of an empty database.
    known = id_number()
    login = await gateway.post("/api/v1/auth/wechat", json={"code": "demo:vault-scan"})
    me = Api(gateway, login.json()["access_token"])
    profile = {
        "id_number": known,
        "name": "张保密",
        "phone": "13912345678",
        "unit_code": "rencheng",
        "group": "unemployed",
        "receives_pension": False,
    }
    shown = await me.ok("PUT", "/me/profile", json=profile)
    assert known not in str(shown)  # masked in responses
    assert "13912345678" not in str(shown)
    assert shown["id_number_masked"].endswith(known[-4:])

    everything: list[str] = []
    for name, url in stack.database_urls.items():
        texts, counts = await dump(url)
        everything.extend(texts)
        if name == "enrolment":
            assert counts.get("worker_profiles", 0) >= 1, counts
    assert len(everything) > 10
    for name in ("gateway", "institutions", "enrolment", "evaluation"):
        everything.append(stack.log(name))
    assert ids_in_clear(everything) == []
    assert not any("13912345678" in text for text in everything)


async def test_the_dump_reads_the_real_rows(stack: RunningStack) -> None:
    """The dump sees the profile rows themselves (ciphertext), so a column written in clear
    would be in the scan above."""
    texts, counts = await dump(stack.database_urls["enrolment"])
    assert counts["worker_profiles"] >= 1
    assert any("gAAAAA" in text for text in texts)  # Fernet ciphertext
