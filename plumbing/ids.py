"""Validators for identifiers at the door: resident ID numbers, credit codes, phones, units."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric, uscc

from plumbing.errors import CodedValueError
from plumbing.settings import REPO_ROOT


def normalise_id_number(value: str) -> str:
    """Validate a GB 11643 resident ID number (birth date and MOD 11-2 check character)."""
    try:
        number = str(ric.validate(value))
    except stdnum_exc.ValidationError as exc:
        raise CodedValueError(
            "invalid_id_number", f"not a valid resident ID number ({exc})"
        ) from exc
    birth = ric.get_birth_date(number)
    if birth > dt.date.today():
        raise CodedValueError("invalid_id_number", "birth date is in the future")
    return number


def id_number_birth_date(number: str) -> dt.date:
    return ric.get_birth_date(number)


def mask_id_number(number: str) -> str:
    """110105199001010024 -> 110105********0024 (the first six and the last four shown)."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_credit_code(value: str) -> str:
    """Validate a GB 32100 unified social credit code.

    python-stdnum's cn.uscc checks the MOD 31 character but refuses codes whose registration
    department or kind are letters (e.g. N for farmers' cooperatives), which GB 32100 allows.
    Digit-led codes go to stdnum; letter-led ones get the same checksum computed here.
    """
    code = re.sub(r"\s", "", value).upper()
    if len(code) != 18 or any(ch not in _USCC_ALPHABET for ch in code):
        raise CodedValueError("invalid_credit_code", "must be 18 characters of the GB 32100 set")
    if code[:2].isdigit():
        try:
            return str(uscc.validate(code))
        except stdnum_exc.ValidationError as exc:
            raise CodedValueError(
                "invalid_credit_code", f"not a valid credit code ({exc})"
            ) from exc
    total = sum(
        _USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], _USCC_WEIGHTS, strict=True)
    )
    if _USCC_ALPHABET[(31 - total % 31) % 31] != code[17]:
        raise CodedValueError("invalid_credit_code", "check character does not match")
    return code


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for 17 characters (for fixtures and seed data)."""
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


_PHONE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value: str) -> str:
    phone = re.sub(r"[\s-]", "", value)
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _PHONE.match(phone):
        raise CodedValueError("invalid_phone", "must be an 11-digit mainland mobile number")
    return phone


@dataclass(frozen=True)
class Unit:
    code: str
    name_zh: str
    name_en: str
    kind: str
    gb2260: str | None
    quota_2019: int


@lru_cache(maxsize=1)
def units() -> dict[str, Unit]:
    """The 15 units of Jining and their 2019 quotas (data/quotas-2019.csv, from the plan)."""
    with (REPO_ROOT / "data" / "quotas-2019.csv").open(encoding="utf-8") as fh:
        return {
            row["unit_code"]: Unit(
                code=row["unit_code"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                kind=row["kind"],
                gb2260=row["gb2260"] or None,
                quota_2019=int(row["quota_2019"]),
            )
            for row in csv.DictReader(fh)
        }


def check_unit_code(value: str) -> str:
    if value not in units():
        raise CodedValueError("unknown_unit", f"'{value}' is not one of the units of Jining")
    return value


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    return phone[:3] + "****" + phone[-4:]


def mask_name(name: str) -> str:
    """张三丰 -> 张**; a one-character name is shown as it is."""
    return name[:1] + "*" * (len(name) - 1)
