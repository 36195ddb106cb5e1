"""Certificate numbers: unique by construction, hard to guess.

Format ``JN<year>-<sequence>-<check>``, e.g. ``JN2025-0000042-K7QX``:
- ``JN``: Jining; ``<year>``: the Asia/Shanghai year of issue;
- ``<sequence>``: the id of the passed result, zero-padded to 7 digits. Result ids are
  unique, so numbers never collide, without a counter table or a retry loop;
- ``<check>``: 4 characters drawn with ``secrets`` from 31 unambiguous characters (digits
  2–9 and A–Z without I, L, O), so knowing one number does not let anyone enumerate others:
  a guess of a neighbouring number is right about once in 923,521 tries.
Look-ups are case-insensitive (numbers are stored upper-case).
"""

from __future__ import annotations

import secrets

PREFIX = "JN"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_LENGTH = 4


def make_number(sequence: int, year: int) -> str:
    check = "".join(secrets.choice(ALPHABET) for _ in range(CHECK_LENGTH))
    return f"{PREFIX}{year}-{sequence:07d}-{check}"


def normalise_number(raw: str) -> str:
    return raw.strip().upper()
