"""The scale generator: a migrated enrolment database filled with workers, offerings, orders
and everything the unit report reads, for `python -m bench.scale`.

The data keeps every rule the service enforces: at most 3 subsidy-bearing orders per worker
and Asia/Shanghai year (a worker's orders are spread so that even the slot-freeing ones fit),
an occupation+level never twice for one worker, seats never above capacity, valid and
unique GB 11643 ID numbers encrypted and hashed with the service's own cipher, and the
per-year counter equal to the orders that hold a slot. Rows go in with COPY (asyncpg)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import importlib.util
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import asyncpg
from stdnum.cn import ric
from tqdm import tqdm  # type: ignore[import-untyped]

from bench.pg import create_database, drop_database, dsn
from plumbing.clock import SHANGHAI
from plumbing.crypto import PersonalDataCipher
from plumbing.ids import mask_id_number, mask_name, mask_phone
from plumbing.migrate import upgrade
from plumbing.settings import REPO_ROOT
from services.enrolment.config import Settings
from services.enrolment.eligibility.rules import RULE_VERSION
from services.enrolment.fields import FUNDING_SOURCES
from services.enrolment.orders.rules import SEAT_FREEING, SLOT_FREEING, YEARLY_CAP

YEARS = (2019, 2020, 2021)
# Where the orders of 2019–2021 ended up, years later (weights).
FINAL_STATES = {
    "paid": 52,
    "claimed": 3,
    "certified": 5,
    "completed": 3,
    "failed": 7,
    "dropped": 5,
    "cancelled": 10,
    "rejected": 4,
    "expired": 8,
    "in_training": 1,
    "accepted": 1,
    "selected": 1,
}
# The path each final state took (the order events, in order).
PATHS = {
    "selected": ["selected"],
    "cancelled": ["selected", "cancelled"],
    "rejected": ["selected", "rejected"],
    "expired": ["selected", "expired"],
    "accepted": ["selected", "accepted"],
    "dropped": ["selected", "accepted", "in_training", "dropped"],
    "in_training": ["selected", "accepted", "in_training"],
    "completed": ["selected", "accepted", "in_training", "completed"],
    "failed": ["selected", "accepted", "in_training", "completed", "failed"],
    "certified": ["selected", "accepted", "in_training", "completed", "certified"],
    "claimed": ["selected", "accepted", "in_training", "completed", "certified", "claimed"],
    "paid": ["selected", "accepted", "in_training", "completed", "certified", "claimed", "paid"],
}
ACTIONS = {
    "selected": "select",
    "cancelled": "cancel",
    "rejected": "reject",
    "expired": "expire",
    "accepted": "accept",
    "in_training": "attend",
    "dropped": "drop",
    "completed": "complete",
    "failed": "evaluate",
    "certified": "evaluate",
    "claimed": "claim",
    "paid": "mark paid",
}
GROUP_WEIGHTS = {
    "enterprise_employee": 30,
    "unemployed": 15,
    "college_student": 8,
    "migrant_worker": 20,
    "poor_labour": 5,
    "farmer": 15,
    "rural_leader": 2,
    "veteran": 2,
    "disabled": 1,
    "prisoner_rehab": 1,
    "special_plan": 1,
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志海燕鹏飞俊凤梅琳晨宇欣怡"
INSTITUTIONS_PER_UNIT = 20
MIGRATIONS = REPO_ROOT / "migrations" / "enrolment" / "versions"
GOVERNMENT, FINANCE, FINANCE_2 = 900, 700, 701
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_BIRTH_DAYS = 14_600  # births spread over 40 years from 1962-01-01
_BIRTH_START = dt.date(1962, 1, 1)
SEAT_HOLDING = tuple(s for s in FINAL_STATES if s not in SEAT_FREEING)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    region: str
    quota: int


@dataclass(frozen=True)
class Trade:
    index: int
    occupation_code: str
    occupation_name: str
    level: int
    hours: int
    subsidy_fen: int
    training_types: tuple[str, ...]


@dataclass(slots=True)
class Order:
    id: int
    worker_id: int
    unit: str
    trade: Trade
    year: int
    created_at: dt.datetime
    status: str
    offering_id: int = 0
    events: list[tuple[str | None, str, str, dt.datetime]] = field(default_factory=list)


@dataclass(slots=True)
class Offering:
    id: int
    unit: str
    trade: Trade
    institution_id: int
    capacity: int
    orders: list[Order]
    starts_on: dt.date
    ends_on: dt.date
    created_at: dt.datetime
    status: str = "closed"


@dataclass
class Summary:
    workers: int = 0
    orders: int = 0
    offerings: int = 0
    events: int = 0
    requests: int = 0
    claims: int = 0
    year_counts: int = 0
    step_counts: int = 0
    listed: list[int] = field(default_factory=list)


def _rng(seed: int) -> random.Random:
    """Reproducible data from a seed; nothing here is a secret."""
    return random.Random(seed)  # noqa: S311


def units() -> list[Unit]:
    with (REPO_ROOT / "data" / "quotas-2019.csv").open(encoding="utf-8") as f:
        return [
            Unit(r["unit_code"], r["name_zh"], r["gb2260"] or "370800", int(r["quota_2019"]))
            for r in csv.DictReader(f)
        ]


def trades() -> list[Trade]:
    """Every occupation and level of the catalogue once (the first catalogue row wins)."""
    seen: dict[tuple[str, int], Trade] = {}
    with (REPO_ROOT / "data" / "catalogue-jining.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            key = (r["occupation_code"], int(r["level"]))
            if key not in seen:
                seen[key] = Trade(
                    len(seen),
                    key[0],
                    r["occupation_name"],
                    key[1],
                    int(r["standard_hours"]),
                    int(r["subsidy_fen"]),
                    tuple(r["training_types"].split("|")),
                )
    return list(seen.values())


def id_number(region: str, worker_id: int) -> str:
    """A valid, unique GB 11643 number per worker id (birth day and serial come from the id,
    so two workers never share one). The birth place must be a code in force on the birth
    date: the unit's own, else Jining city's (from 1983), else the old Jining prefecture's."""
    day, block = worker_id % _BIRTH_DAYS, worker_id // _BIRTH_DAYS
    serial = 2 * block + worker_id % 2
    if serial > 999:
        raise ValueError("more workers than this scheme has ID numbers for")
    birth = _BIRTH_START + dt.timedelta(days=day)
    place = next((p for p in (region, "370800", "372900") if _place_in_force(p, birth.year)), "")
    if not place:
        raise ValueError(f"no birth place code for {birth}")
    return _with_check(f"{place}{birth:%Y%m%d}{serial:03d}")


def _with_check(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + _CHECK[total % 11]


@cache
def _place_in_force(place: str, year: int) -> bool:
    """Whether python-stdnum accepts the code for births all through `year` (it is slow, so
    once per code and year)."""
    try:
        return all(ric.is_valid(_with_check(f"{place}{year}{md}011")) for md in ("0101", "1231"))
    except KeyError:  # python-stdnum's table has codes without counties
        return False


def _bar(total: int, desc: str, show: bool) -> Any:
    return tqdm(total=total, desc=desc, unit=" rows", unit_scale=True, disable=not show, leave=True)


def _local(year: int, rng: random.Random) -> dt.datetime:
    """A working-hours moment of `year` in Asia/Shanghai, as UTC."""
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    at = dt.datetime.combine(day, dt.time(8 + rng.randrange(11), rng.randrange(60)), SHANGHAI)
    return at.astimezone(dt.UTC)


def plan_orders(
    n_orders: int, n_workers: int, units_: Sequence[Unit], trades_: Sequence[Trade], seed: int
) -> tuple[list[str], list[Order]]:
    """Who orders what, when, and where it ended: each worker at least one order, at most
    3 a year, never the same occupation+level twice. Ids follow creation time."""
    if n_orders < n_workers:
        raise ValueError("every worker has at least one order: --orders >= --workers")
    if n_orders > n_workers * YEARLY_CAP * len(YEARS):
        raise ValueError("too many orders for the workers under the yearly cap")
    rng = _rng(seed)
    unit_codes = [u.code for u in units_]
    worker_unit = rng.choices(unit_codes, weights=[u.quota for u in units_], k=n_workers + 1)
    per_worker = [1] * (n_workers + 1)
    per_worker[0] = 0
    extra = n_orders - n_workers
    limit = YEARLY_CAP * len(YEARS)
    while extra:
        w = rng.randint(1, n_workers)
        if per_worker[w] < limit:
            per_worker[w] += 1
            extra -= 1
    # Popular trades are popular: a Zipf-like weight over the catalogue.
    popularity = [1.0 / (1 + (t.index * 7919) % len(trades_)) ** 0.7 for t in trades_]
    states, state_weights = list(FINAL_STATES), list(FINAL_STATES.values())
    slots = [y for y in YEARS for _ in range(YEARLY_CAP)]
    orders: list[Order] = []
    for w in tqdm(range(1, n_workers + 1), desc="plan orders", unit=" workers", unit_scale=True):
        k = per_worker[w]
        chosen: set[int] = set()
        while len(chosen) < k:
            chosen.add(rng.choices(range(len(trades_)), weights=popularity)[0])
        years = rng.sample(slots, k)
        for t, year in zip(chosen, years, strict=True):
            unit = worker_unit[w] if rng.random() < 0.9 else rng.choice(unit_codes)
            status = rng.choices(states, weights=state_weights)[0]
            orders.append(Order(0, w, unit, trades_[t], year, _local(year, rng), status))
    orders.sort(key=lambda o: o.created_at)
    for i, order in enumerate(orders, start=1):
        order.id = i
    return worker_unit, orders


def plan_offerings(
    orders: Sequence[Order], unit_order: dict[str, int], seed: int
) -> list[Offering]:
    """Seats for the orders: per unit and trade, consecutive orders share an offering of
    30–60 seats whose selections span at most two months; never more orders than seats."""
    rng = _rng(seed + 1)
    by_key: dict[tuple[str, int], list[Order]] = defaultdict(list)
    for order in orders:
        by_key[(order.unit, order.trade.index)].append(order)
    groups: list[list[Order]] = []
    for chunk in by_key.values():
        current: list[Order] = []
        capacity = rng.randint(30, 60)
        for order in chunk:
            if current and (
                len(current) >= capacity
                or order.created_at - current[0].created_at > dt.timedelta(days=60)
            ):
                groups.append(current)
                current, capacity = [], rng.randint(30, 60)
            current.append(order)
        groups.append(current)
    groups.sort(key=lambda g: g[0].created_at)
    offerings: list[Offering] = []
    for i, group in enumerate(tqdm(groups, desc="plan offerings", unit=" offerings"), start=1):
        first, last = group[0], group[-1]
        unit_index = unit_order[first.unit]
        starts = (last.created_at.astimezone(SHANGHAI) + dt.timedelta(days=3)).date()
        days = max(1, math.ceil(first.trade.hours / 8))
        offering = Offering(
            id=i,
            unit=first.unit,
            trade=first.trade,
            institution_id=unit_index * INSTITUTIONS_PER_UNIT
            + rng.randrange(INSTITUTIONS_PER_UNIT),
            capacity=max(len(group), rng.randint(30, 60)),
            orders=group,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=days + days // 2),
            created_at=first.created_at - dt.timedelta(days=rng.randint(1, 10)),
        )
        for order in group:
            order.offering_id = i
        offerings.append(offering)
    return offerings


def _at_day(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9 + rng.randrange(8)), SHANGHAI).astimezone(dt.UTC)


def plan_events(offerings: Sequence[Offering], seed: int) -> None:
    """Each order's transitions, timed by its offering's dates."""
    rng = _rng(seed + 2)
    for offering in tqdm(offerings, desc="plan events", unit=" offerings", unit_scale=True):
        for order in offering.orders:
            path = PATHS[order.status]
            times = {
                "selected": order.created_at,
                "cancelled": order.created_at + dt.timedelta(hours=rng.randint(1, 72)),
                "rejected": order.created_at + dt.timedelta(hours=rng.randint(4, 96)),
                "expired": order.created_at + dt.timedelta(days=7, hours=rng.randint(1, 20)),
                "accepted": order.created_at + dt.timedelta(hours=rng.randint(2, 60)),
                "in_training": _at_day(offering.starts_on, rng),
                "dropped": _at_day(offering.starts_on + dt.timedelta(days=1), rng),
                "completed": _at_day(offering.ends_on, rng),
            }
            after = times["completed"]
            for step, lo, hi in (("failed", 7, 30), ("certified", 7, 30), ("claimed", 3, 20)):
                after = after + dt.timedelta(days=rng.randint(lo, hi))
                times[step] = after
            times["paid"] = after + dt.timedelta(days=rng.randint(10, 40))
            previous: str | None = None
            for step in path:
                order.events.append((previous, step, ACTIONS[step], times[step]))
                if step == "certified" and "claimed" in path:
                    confirmed = times[step] + dt.timedelta(days=1)
                    order.events.append((step, step, "confirm_delivery", confirmed))
                previous = step


def _records_workers(
    worker_unit: Sequence[str],
    units_: dict[str, Unit],
    orders: Sequence[Order],
    seed: int,
    masked: list[str],
) -> Iterator[tuple[Any, ...]]:
    """Profiles with the service's own encryption and keyed hashes; each distinct name is
    encrypted once (the name pool is small), ID numbers and phones once per worker.
    `masked` receives each worker's masked name, for the orders."""
    rng = _rng(seed + 3)
    cipher = PersonalDataCipher(Settings().data_keys, Settings().hash_key)
    first_order: dict[int, dt.datetime] = {}
    for order in orders:
        first_order.setdefault(order.worker_id, order.created_at)
    names: dict[str, tuple[str, str]] = {}
    groups, group_weights = list(GROUP_WEIGHTS), list(GROUP_WEIGHTS.values())
    for w in range(1, len(worker_unit)):
        unit = units_[worker_unit[w]]
        number = id_number(unit.region, w)
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        if name not in names:
            names[name] = (cipher.encrypt(name), mask_name(name))
        masked.append(names[name][1])
        phone = f"13{w:09d}"
        group = rng.choices(groups, weights=group_weights)[0]
        since = first_order[w] - dt.timedelta(days=rng.randint(1, 30))
        yield (
            w,
            cipher.encrypt(number),
            cipher.keyed_hash(number),
            mask_id_number(number),
            names[name][0],
            cipher.encrypt(phone),
            mask_phone(phone),
            cipher.keyed_hash(phone),
            unit.code,
            group,
            False,
            _BIRTH_START + dt.timedelta(days=w % _BIRTH_DAYS),
            "male" if int(number[16]) % 2 == 1 else "female",
            None,
            rng.randint(12, 120) if group == "enterprise_employee" else 0,
            None,
            group == "poor_labour",
            since,
            since,
        )


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


WORKER_COLUMNS = _columns(
    "worker_id id_number_cipher id_number_hash id_number_masked name_cipher phone_cipher "
    "phone_masked phone_hash unit_code target_group receives_pension birth_on sex "
    "employer_credit_code unemployment_insurance_months discharged_on registered_poor "
    "created_at updated_at"
)
OFFERING_COLUMNS = _columns(
    "id institution_id institution_name occupation_code occupation_name level unit_code "
    "capacity seats_taken hours starts_on ends_on subsidy_fen catalogue_item_id funding_source "
    "training_type programme status withdrawn_reason listed_by created_at"
)
ORDER_COLUMNS = _columns(
    "id worker_id worker_name_masked offering_id request_id institution_id institution_name "
    "occupation_code occupation_name level unit_code hours attended_hours subsidy_fen "
    "subsidy_year funding_source status certificate_number result_id reason rule_version "
    "decision_facts delivery delivery_reason delivery_at created_at updated_at"
)
EVENT_COLUMNS = _columns(
    "id order_id unit_code action from_status to_status actor_id actor_role reason at"
)
REQUEST_COLUMNS = _columns(
    "id worker_id occupation_code level unit_code status matched_offering_id order_id "
    "created_at updated_at"
)
CLAIM_COLUMNS = _columns(
    "id order_id kind institution_id worker_id unit_code payee_kind payee_id amount_fen "
    "funding_source subsidy_year status submitted_by reviewed_by reviewed_at notice_ends_on "
    "approved_by approved_at needs_countersign countersigned_by countersigned_at paid_by "
    "paid_at reason created_at updated_at"
)


def institution_name(institution_id: int) -> str:
    return f"济宁市第{institution_id}职业培训学校"


def _offering_record(o: Offering) -> tuple[Any, ...]:
    seats = sum(1 for order in o.orders if order.status not in SEAT_FREEING)
    return (
        o.id,
        o.institution_id,
        institution_name(o.institution_id),
        o.trade.occupation_code,
        o.trade.occupation_name,
        o.trade.level,
        o.unit,
        o.capacity,
        seats,
        o.trade.hours,
        o.starts_on,
        o.ends_on,
        o.trade.subsidy_fen,
        o.trade.index + 1,
        FUNDING_SOURCES[o.id % 3],
        o.trade.training_types[o.id % len(o.trade.training_types)],
        None,
        o.status,
        None,
        GOVERNMENT,
        o.created_at,
    )


def _order_record(
    order: Order, o: Offering, request_id: int | None, masked: str
) -> tuple[Any, ...]:
    trained = order.status in ("completed", "failed", "certified", "claimed", "paid")
    hours = float(o.trade.hours) if trained else 0.0
    if order.status in ("dropped", "in_training"):
        hours = float(o.trade.hours // 3)
    certified = order.status in ("certified", "claimed", "paid")
    confirmed = next((at for _, _, a, at in order.events if a == "confirm_delivery"), None)
    facts = {"year": order.year, "has_profile": True, "holds_occupation_level": False}
    return (
        order.id,
        order.worker_id,
        masked,
        o.id,
        request_id,
        o.institution_id,
        institution_name(o.institution_id),
        o.trade.occupation_code,
        o.trade.occupation_name,
        o.trade.level,
        o.unit,
        o.trade.hours,
        hours,
        o.trade.subsidy_fen,
        order.year,
        FUNDING_SOURCES[o.id % 3],
        order.status,
        f"S3708{order.id:012d}" if certified else None,
        None,
        None,
        RULE_VERSION,
        json.dumps(facts),
        "confirmed" if confirmed else None,
        None,
        confirmed,
        order.created_at,
        order.events[-1][3],
    )


async def _copy(
    conn: asyncpg.Connection,
    table: str,
    columns: Sequence[str],
    records: Iterable[tuple[Any, ...]],
    total: int,
    show: bool,
    batch: int = 20_000,
) -> int:
    """COPY the records in batches, one progress bar per table."""
    done = 0
    with _bar(total, table, show) as bar:
        chunk: list[tuple[Any, ...]] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= batch:
                await conn.copy_records_to_table(table, records=chunk, columns=list(columns))
                bar.update(len(chunk))
                done += len(chunk)
                chunk = []
        if chunk:
            await conn.copy_records_to_table(table, records=chunk, columns=list(columns))
            bar.update(len(chunk))
            done += len(chunk)
    return done


def counts_backfill() -> str:
    """The unit report's counts of the rows just loaded: the SQL migration enrolment_0006
    backfills an existing database with (one copy of it), run after the COPYs."""
    path = MIGRATIONS / "enrolment_0006_counts_for_the_unit_report.py"
    spec = importlib.util.spec_from_file_location("enrolment_0006", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.backfill_sql("postgresql"))


async def create_enrolment_database(server_url: str, name: str) -> str:
    """A fresh, migrated enrolment database `name` on the server (dropped first if it exists)."""
    await drop_database(server_url, name)
    url = await create_database(server_url, name)
    await asyncio.to_thread(upgrade, "enrolment", url)
    return url


async def generate(
    url: str, n_orders: int, n_workers: int, seed: int = 2019, show: bool = True
) -> Summary:
    """Fill the (migrated, empty) enrolment database at `url`."""
    units_ = {u.code: u for u in units()}
    trades_ = trades()
    worker_unit, orders = plan_orders(n_orders, n_workers, list(units_.values()), trades_, seed)
    unit_order = {code: i for i, code in enumerate(units_)}
    offerings = plan_offerings(orders, unit_order, seed)
    listed = open_offerings(len(offerings) + 1, units_, trades_)
    plan_events(offerings, seed)
    summary = Summary(workers=n_workers, orders=len(orders), offerings=len(offerings))
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute("SET synchronous_commit = off")
        masked = [""]
        workers = _records_workers(worker_unit, units_, orders, seed, masked)
        await _copy(conn, "worker_profiles", WORKER_COLUMNS, workers, n_workers, show)
        all_offerings = [*offerings, *listed]
        await _copy(
            conn,
            "offerings",
            OFFERING_COLUMNS,
            (_offering_record(o) for o in all_offerings),
            len(all_offerings),
            show,
        )
        summary.offerings = len(all_offerings)
        summary.listed = [o.id for o in listed]
        rng = _rng(seed + 4)
        with_request = {o.id for o in orders if rng.random() < 0.3}
        requests: list[tuple[Any, ...]] = []
        request_of: dict[int, int] = {}
        for order in orders:
            if order.id in with_request:
                request_of[order.id] = len(requests) + 1
                filed = order.created_at - dt.timedelta(days=rng.randint(3, 40))
                requests.append(
                    (
                        len(requests) + 1,
                        order.worker_id,
                        order.trade.occupation_code,
                        order.trade.level,
                        order.unit,
                        "fulfilled",
                        order.offering_id,
                        order.id,
                        filed,
                        order.created_at,
                    )
                )
        summary.requests = await _copy(
            conn, "training_requests", REQUEST_COLUMNS, requests, len(requests), show
        )
        by_id = {o.id: o for o in offerings}
        summary.orders = await _copy(
            conn,
            "orders",
            ORDER_COLUMNS,
            (
                _order_record(
                    order,
                    by_id[order.offering_id],
                    request_of.get(order.id),
                    masked[order.worker_id],
                )
                for order in orders
            ),
            len(orders),
            show,
        )
        events = sorted(
            ((at, order.id, f, t, a) for order in orders for f, t, a, at in order.events),
            key=lambda e: e[0],
        )
        summary.events = await _copy(
            conn,
            "order_events",
            EVENT_COLUMNS,
            (
                (i, oid, orders[oid - 1].unit, a, f, t, *_actor(t, a, by_id, oid, orders), None, at)
                for i, (at, oid, f, t, a) in enumerate(events, start=1)
            ),
            len(events),
            show,
        )
        counts: dict[tuple[int, int], int] = defaultdict(int)
        for order in orders:
            key = (order.worker_id, order.year)
            counts[key] += order.status not in SLOT_FREEING
        summary.year_counts = await _copy(
            conn,
            "worker_year_counts",
            ("worker_id", "year", "count"),
            ((w, y, n) for (w, y), n in counts.items()),
            len(counts),
            show,
        )
        claimed = [o for o in orders if o.status in ("claimed", "paid")]
        summary.claims = await _copy(
            conn,
            "claims",
            CLAIM_COLUMNS,
            (_claim_record(i, o, by_id[o.offering_id]) for i, o in enumerate(claimed, start=1)),
            len(claimed),
            show,
        )
        with tqdm(total=1, desc="unit_step_counts", disable=not show) as bar:
            await conn.execute(counts_backfill())
            summary.step_counts = await conn.fetchval("SELECT count(*) FROM unit_step_counts")
            bar.update()
        await _reset_sequences(conn)
        with tqdm(total=1, desc="analyze", disable=not show) as bar:
            await conn.execute("ANALYZE")
            bar.update()
    finally:
        await conn.close()
    return summary


def _actor(
    to_status: str, action: str, offerings: dict[int, Offering], order_id: int, orders: Any
) -> tuple[int, str]:
    """Who made the step: the worker, the institution, government or the sweep."""
    if to_status in ("selected", "cancelled") or action == "confirm_delivery":
        return orders[order_id - 1].worker_id, "worker"
    if to_status == "expired":
        return 0, "system"
    if to_status == "paid":
        return FINANCE, "finance"
    if to_status in ("failed", "certified"):
        return 600, "evaluator"
    offering = offerings[orders[order_id - 1].offering_id]
    return 100_000 + offering.institution_id, "institution"


def _claim_record(claim_id: int, order: Order, o: Offering) -> tuple[Any, ...]:
    claimed_at = next(at for _, t, _, at in order.events if t == "claimed")
    paid = order.status == "paid"
    paid_at = order.events[-1][3] if paid else None
    reviewed = claimed_at + dt.timedelta(days=1)
    approved = claimed_at + dt.timedelta(days=8)
    return (
        claim_id,
        order.id,
        "training",
        o.institution_id,
        order.worker_id,
        o.unit,
        "institution",
        o.institution_id,
        o.trade.subsidy_fen,
        FUNDING_SOURCES[o.id % 3],
        order.year,
        "paid" if paid else "submitted",
        100_000 + o.institution_id,
        GOVERNMENT if paid else None,
        reviewed if paid else None,
        (reviewed + dt.timedelta(days=7)).date() if paid else None,
        GOVERNMENT + 1 if paid else None,
        approved if paid else None,
        False,
        None,
        None,
        FINANCE if paid else None,
        paid_at,
        None,
        claimed_at,
        paid_at or claimed_at,
    )


def open_offerings(
    first_id: int, units_: dict[str, Unit], trades_: Sequence[Trade]
) -> list[Offering]:
    """Offerings open today, in every unit for three trades, with seats for the selection
    benchmark; their ids follow the past ones."""
    today = dt.datetime.now(SHANGHAI).date()
    rng = _rng(7)
    listed: list[Offering] = []
    for unit in units_.values():
        for trade in rng.sample(list(trades_), 3):
            listed.append(
                Offering(
                    id=first_id + len(listed),
                    unit=unit.code,
                    trade=trade,
                    institution_id=1,
                    capacity=5000,
                    orders=[],
                    starts_on=today + dt.timedelta(days=30),
                    ends_on=today + dt.timedelta(days=60),
                    created_at=dt.datetime.now(dt.UTC),
                    status="listed",
                )
            )
    return listed


async def _reset_sequences(conn: asyncpg.Connection) -> None:
    """The service inserts after the COPY: each id sequence continues after the last id."""
    for table in ("offerings", "orders", "order_events", "training_requests", "claims"):
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
        )
