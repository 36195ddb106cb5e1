"""The floor's SQL: requests recorded by the services' SQL trace (plumbing/sqltrace.py),
turned into templates and replayed with plain asyncpg for new workers.

A **template** is the SQL of one recorded run of a piece of work (a flow step by step, or
one selection), as the services sent it: per step, the transactions in order, each on its
database, with its statements, their parameters and how it ended. It is built from two
recordings of the same work (`main` and `twin`, other workers, other ids), and every
parameter of `main` gets one of these plans, decided once, when the template is built:

- **lookup** — the value was returned by an earlier statement of the recording (an id from
  a RETURNING, a row read back) or is one of the run's inputs given as a binding (the worker
  id, and for a selection the request and offering ids): the replay uses the value *its*
  statement returned at the same row and column, or the binding's new value;
- **embed** — a string containing such values (a JSON payload with a claim id, a
  certificate number built from a result id): each is replaced inside the string;
- **fresh** — a value that differs between the two recordings and came from nowhere
  earlier (an ID-number hash or ciphertext, a ledger transaction id): a new value of the same
  shape per flow (the same new value wherever the recorded one appears again in that flow), so
  unique constraints hold under concurrency;
- **constant** — the same in both recordings (a status, a level, the institution), and
  every timestamp or date (the replay writes the recording's times);
- **rule** — computed by the application from other values; the only ones are the audit
  chain's (`AUDIT_RULES`): each new audit entry's `seq` is the locked head's seq + 1 and its
  `mac` HMAC-SHA256 over (previous mac, seq, kind, ref id, payload) as
  services/enrolment/audit/service.py computes it, and the head is updated to the last one.
  The build checks that the rules reproduce the recorded values.

Recorded ids are recognisable because the benchmark starts every id sequence at its own
value from ID_BASE on (bench/stack.py spread_sequences): an integer at least ID_BASE that is
neither returned earlier nor bound is an id the template cannot thread, and the build fails.

The replay fails loudly (ReplayError) when a statement's row count differs from the
recording's (INSERT/UPDATE/DELETE), when a SELECT returns no row where the recording had
some or the other way round, and when a value to look up was not returned this time; the
only statement allowed another row count is the one in VARIABLE_ROWCOUNT.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import re
import string
from collections import ChainMap
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from plumbing.sqltrace import RequestTrace, Statement
from services.enrolment.audit.service import mac_of
from services.enrolment.config import DEFAULT_AUDIT_KEY

ID_BASE = 1_000_000_000
ID_SPACING = 5_000_000
MIN_KEY_LENGTH = 12  # strings at least this long are threaded (hashes, MACs, numbers, names)

# Listing an offering marks every open request for its trade as matched: how many rows that
# touches depends on the other flows running at the time, in the services as in the floor.
VARIABLE_ROWCOUNT = (re.compile(r"^UPDATE training_requests SET status=.*matched_offering_id="),)

_DIGITS = re.compile(r"\d{10,}")
_STATUS = re.compile(r"^(?:SELECT|UPDATE|DELETE|INSERT \d+) (\d+)$")


class TraceError(RuntimeError):
    """The recordings cannot be made into a template (shape differs, an id from nowhere)."""


class ReplayError(RuntimeError):
    """A replayed statement did not do what the recorded one did."""


def learnable(value: Any) -> bool:
    """Whether a returned value is threaded into later parameters."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= ID_BASE
    return isinstance(value, str) and len(value) >= MIN_KEY_LENGTH


# ---------------------------------------------------------------------------------------
# Plans


@dataclass(frozen=True)
class Const:
    value: Any


@dataclass(frozen=True)
class Lookup:
    key: Any


@dataclass(frozen=True)
class Embed:
    text: str
    keys: tuple[Any, ...]


@dataclass(frozen=True)
class Fresh:
    key: Any


@dataclass(frozen=True)
class Rule:
    name: str  # "audit_seq", "audit_mac"


Plan = Const | Lookup | Embed | Fresh | Rule


def fresh_value(value: Any, rng: random.Random) -> Any:
    """A new value of the same shape: each digit another digit, each letter another letter
    of the same case, other characters kept; bytes random; integers from a high range."""
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch.isascii() and ch.isdigit():
                out.append(rng.choice(string.digits))
            elif ch.isascii() and ch.islower():
                out.append(rng.choice(string.ascii_lowercase))
            elif ch.isascii() and ch.isupper():
                out.append(rng.choice(string.ascii_uppercase))
            else:
                out.append(ch)
        return "".join(out)
    if isinstance(value, bytes):
        return rng.randbytes(len(value))
    raise TraceError(f"no fresh value for {type(value).__name__} {value!r}")


# ---------------------------------------------------------------------------------------
# Templates


@dataclass
class StatementPlan:
    sql: str
    many: bool
    plans: list[list[Plan]]  # one list per parameter set (one unless executemany)
    columns: list[str] | None
    rows: list[tuple[Any, ...]]  # recorded, for threading the replay's returned values
    rowcount: int
    variable: bool
    audit: str | None  # "head", "entries", "update" or None


@dataclass
class TransactionPlan:
    db: str
    end: str
    statements: list[StatementPlan]


@dataclass
class Template:
    steps: dict[str, list[TransactionPlan]]
    learned: set[Any]  # every value a replay may look up or embed, for dependent templates

    def statement_count(self, steps: Iterable[str] | None = None) -> int:
        names = self.steps if steps is None else steps
        return sum(len(t.statements) for s in names for t in self.steps.get(s, []))


_INSERT_COLUMNS = re.compile(r"^INSERT INTO (\w+) \(([^)]*)\)")


def _audit_kind(sql: str) -> str | None:
    if sql.startswith("SELECT") and "FROM audit_heads" in sql and "FOR UPDATE" in sql:
        return "head"
    if sql.startswith("INSERT INTO audit_entries "):
        return "entries"
    if sql.startswith("UPDATE audit_heads SET"):
        return "update"
    return None


def _insert_columns(sql: str) -> list[str]:
    found = _INSERT_COLUMNS.match(sql)
    if not found:
        raise TraceError(f"cannot read the columns of {sql[:80]!r}")
    return [c.strip() for c in found.group(2).split(",")]


def _rule_positions(sql: str, kind: str | None, width: int) -> dict[int, str]:
    """Which parameter positions (0-based, within one parameter set) a rule computes."""
    if kind == "entries":
        cols = _insert_columns(sql)
        if width % len(cols):
            raise TraceError(f"audit entries not bound one parameter per column: {sql[:120]!r}")
        return {
            i: {"seq": "audit_seq", "mac": "audit_mac"}[c]
            for i in range(width)
            if (c := cols[i % len(cols)]) in ("seq", "mac")
        }
    if kind == "update":
        out = {}
        for col, name in (("seq", "audit_seq"), ("mac", "audit_mac")):
            found = re.search(rf"\b{col}=\$(\d+)", sql)
            if not found:
                raise TraceError(f"audit head update without {col}: {sql[:120]!r}")
            out[int(found.group(1)) - 1] = name
        return out
    return {}


def _embedded_keys(text: str, known: set[Any]) -> tuple[Any, ...]:
    keys: list[Any] = [int(m) for m in _DIGITS.findall(text) if int(m) in known]
    keys += [
        k
        for k in known
        if isinstance(k, str) and len(k) >= MIN_KEY_LENGTH and k != text and k in text
    ]
    return tuple(dict.fromkeys(keys))


def _classify(value: Any, twin: Any, known: set[Any], rule: str | None, where: str) -> Plan:
    if rule is not None:
        return Rule(rule)
    if value is None or isinstance(value, bool):
        return Const(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta, float, decimal.Decimal)):
        return Const(value)  # the recording's times and amounts
    try:
        if value in known:
            return Lookup(value)
    except TypeError:  # unhashable (a list for an ARRAY column)
        return Const(value)
    if isinstance(value, str):
        keys = _embedded_keys(value, known)
        if keys:
            return Embed(value, keys)
    if value == twin:
        return Const(value)  # also an id made before the flows (the institution)
    if isinstance(value, int):
        raise TraceError(
            f"{where}: {value!r} (twin {twin!r}) differs between the recordings and was not "
            "returned by an earlier statement: a value the template cannot thread"
        )
    if isinstance(value, (str, bytes)):
        return Fresh(value)
    raise TraceError(f"{where}: cannot plan a {type(value).__name__}: {value!r}")


def _param_sets(st: Statement) -> list[tuple[Any, ...]]:
    return list(st.params) if st.many else [tuple(st.params)]


def build(
    main: dict[str, list[RequestTrace]],
    twin: dict[str, list[RequestTrace]],
    known: Iterable[Any] = (),
) -> Template:
    """A template from two recordings of the same work, step by step (each step's requests
    in the order they were made). `known`: values the replay will be given (bindings) or will
    have learned before (another template's, e.g. the cohort leader's offering)."""
    if list(main) != list(twin):
        raise TraceError(f"the recordings have different steps: {list(main)} vs {list(twin)}")
    seen: set[Any] = set(known)
    learned: set[Any] = set()
    steps: dict[str, list[TransactionPlan]] = {}
    for step, requests in main.items():
        t_txns = [(r, t) for r in twin[step] for t in r.transactions]
        m_txns = [(r, t) for r in requests for t in r.transactions]
        if len(m_txns) != len(t_txns):
            raise TraceError(
                f"step {step}: the recordings differ, {len(m_txns)} vs {len(t_txns)} transactions"
            )
        plans: list[TransactionPlan] = []
        for ti, ((req, txn), (_, ttxn)) in enumerate(zip(m_txns, t_txns, strict=True)):
            if len(txn.statements) != len(ttxn.statements):
                raise TraceError(f"step {step} transaction {ti}: different statement counts")
            stmts = []
            chain = AuditState()
            for si, (st, tst) in enumerate(zip(txn.statements, ttxn.statements, strict=True)):
                where = f"step {step}, {req.method} {req.path}, statement {si} ({st.sql[:60]!r})"
                if st.sql != tst.sql or st.many != tst.many:
                    raise TraceError(f"{where}: the two recordings sent different SQL")
                kind = _audit_kind(st.sql)
                sets, tsets = _param_sets(st), _param_sets(tst)
                if len(sets) != len(tsets):
                    raise TraceError(f"{where}: different numbers of parameter sets")
                plans_ = []
                for ps, tps in zip(sets, tsets, strict=True):
                    rules = _rule_positions(st.sql, kind, len(ps))
                    row_plans = []
                    for pi, (v, tv) in enumerate(zip(ps, tps, strict=True)):
                        plan = _classify(v, tv, seen, rules.get(pi), f"{where} ${pi + 1}")
                        if isinstance(plan, Fresh):
                            seen.add(v)
                            learned.add(v)
                        row_plans.append(plan)
                    plans_.append(row_plans)
                for row in st.rows:
                    for cell in row:
                        if learnable(cell):
                            seen.add(cell)
                            learned.add(cell)
                sp = StatementPlan(
                    sql=st.sql,
                    many=st.many,
                    plans=plans_,
                    columns=st.columns,
                    rows=st.rows,
                    rowcount=st.rowcount,
                    variable=any(p.search(st.sql) for p in VARIABLE_ROWCOUNT),
                    audit=kind,
                )
                _check_rule(sp, sets, chain, where)
                stmts.append(sp)
            plans.append(TransactionPlan(req.service, txn.end, stmts))
        steps[step] = plans
    return Template(steps, learned)


def _check_rule(
    sp: StatementPlan, sets: list[tuple[Any, ...]], chain: AuditState, where: str
) -> None:
    """The audit rules, run on the recording, must give back the recorded values."""
    if sp.audit == "head":
        chain.take(sp.columns or [], sp.rows)
    elif sp.audit is not None:
        for ps, plans in zip(sets, sp.plans, strict=True):
            trial = [None if isinstance(p, Rule) else v for v, p in zip(ps, plans, strict=True)]
            chain.apply(sp, plans, trial)
            if trial != list(ps):
                raise TraceError(f"{where}: the audit rule gives {trial}, recorded {list(ps)}")


# ---------------------------------------------------------------------------------------
# Replay


@dataclass
class AuditState:
    """The audit chain's head as this transaction locked it, then as it extended it."""

    seq: int | None = None
    mac: str | None = None
    recorded_seq: int | None = None
    recorded_mac: str | None = None

    def take(self, columns: list[str], rows: list[Any]) -> None:
        if not rows:
            raise ReplayError("the audit head was not found")
        row = dict(zip(columns, rows[0], strict=True)) if columns else dict(rows[0])
        self.seq, self.mac = int(row["seq"]), str(row["mac"])

    def apply(self, st: StatementPlan, plans: list[Plan], params: list[Any]) -> None:
        """Fill the rule positions of one parameter set (in place)."""
        if self.seq is None or self.mac is None:
            raise ReplayError(f"{st.sql[:60]!r} before the audit head was locked")
        if st.audit == "update":
            for i, p in enumerate(plans):
                if isinstance(p, Rule):
                    params[i] = self.seq if p.name == "audit_seq" else self.mac
            return
        cols = _insert_columns(st.sql)
        for start in range(0, len(params), len(cols)):
            entry = dict(zip(cols, params[start : start + len(cols)], strict=True))
            self.seq += 1
            self.mac = mac_of(
                DEFAULT_AUDIT_KEY,
                self.mac,
                self.seq,
                entry["kind"],
                entry["ref_id"],
                entry["payload"],
            )
            params[start + cols.index("seq")] = self.seq
            params[start + cols.index("mac")] = self.mac


@dataclass
class Flow:
    """One replayed run: what its statements returned, and its fresh values."""

    values: MutableMapping[Any, Any]
    rng: random.Random = field(default_factory=random.Random)
    statements: int = 0

    @classmethod
    def new(cls, bindings: dict[Any, Any]) -> Flow:
        return cls(ChainMap(dict(bindings)))

    def follow(self, leader: Flow) -> None:
        """Look up, after this flow's own values, those of its cohort's leader (the
        offering, the class plan) — as a follower's requests use the leader's rows."""
        assert isinstance(self.values, ChainMap)
        if not any(m is leader.values for m in self.values.maps):
            self.values.maps.append(leader.values)

    def value(self, plan: Plan, where: str) -> Any:
        if isinstance(plan, Const):
            return plan.value
        if isinstance(plan, Lookup):
            try:
                return self.values[plan.key]
            except KeyError:
                raise ReplayError(
                    f"{where}: {plan.key!r} was returned earlier in the recording, "
                    "not in this replay"
                ) from None
        if isinstance(plan, Fresh):
            got = self.values.get(plan.key)
            if got is None:
                got = self.values[plan.key] = fresh_value(plan.key, self.rng)
            return got
        if isinstance(plan, Embed):
            text = plan.text
            for key in plan.keys:
                if key not in self.values:
                    raise ReplayError(f"{where}: {key!r} (inside a string) was not returned")
                if isinstance(key, int):
                    text = re.sub(rf"(?<!\d){key}(?!\d)", str(self.values[key]), text)
                else:
                    text = text.replace(key, str(self.values[key]))
            return text
        return None  # Rule: filled by the audit state

    def learn(self, st: StatementPlan, rows: list[Any]) -> None:
        for recorded, got in zip(st.rows, rows, strict=False):
            for rv, gv in zip(recorded, got, strict=False):
                if learnable(rv) and rv not in self.values:
                    self.values[rv] = gv


async def run_transaction(pool: asyncpg.Pool, txn: TransactionPlan, flow: Flow) -> None:
    """One recorded transaction on its database, statement by statement, checked."""
    audit = AuditState()
    async with pool.acquire() as conn:
        tr = conn.transaction()
        await tr.start()
        try:
            for si, st in enumerate(txn.statements):
                where = f"{txn.db} statement {si} ({st.sql[:70]!r})"
                sets = []
                for plans in st.plans:
                    params = [flow.value(p, where) for p in plans]
                    if st.audit in ("entries", "update"):
                        audit.apply(st, plans, params)
                    sets.append(params)
                flow.statements += 1
                if st.many:
                    # As the asyncpg dialect sends an executemany (no row count to check).
                    await conn.executemany(st.sql, sets)
                    continue
                if st.columns is None:
                    status = await conn.execute(st.sql, *sets[0])
                    found = _STATUS.match(status)
                    count = int(found.group(1)) if found else -1
                    rows: list[Any] = []
                else:
                    rows = await conn.fetch(st.sql, *sets[0])
                    count = len(rows)
                _check(st, count, where)
                if st.audit == "head":
                    audit.take(st.columns or [], [tuple(r) for r in rows])
                flow.learn(st, rows)
        except BaseException:
            await tr.rollback()
            raise
        if txn.end == "commit":
            await tr.commit()
        else:
            await tr.rollback()


def _check(st: StatementPlan, count: int, where: str) -> None:
    if st.variable:
        return
    if st.sql.lstrip().upper().startswith("SELECT"):
        if (count == 0) != (st.rowcount == 0):
            raise ReplayError(f"{where}: {count} rows, the recording had {st.rowcount}")
        return
    if count != st.rowcount:
        raise ReplayError(f"{where}: {count} rows affected, the recording had {st.rowcount}")
