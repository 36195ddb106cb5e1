"""Catalogue files: reading an uploaded CSV or XLSX row by row, writing a version out."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook

from services.institutions.catalogue.models import CatalogueItem

COLUMNS = (
    "catalogue",
    "occupation_code",
    "occupation_name",
    "level",
    "training_types",
    "standard_hours",
    "subsidy_fen",
    "industry",
)
REQUIRED = COLUMNS[:-1]
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


class UnreadableFile(ValueError):
    """The upload is not a CSV or XLSX file this service can read."""


def is_xlsx(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


def _decode(content: bytes) -> str:
    # Excel saves CSV as UTF-8 with a BOM, or in the Chinese ANSI code page (GB18030).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("the CSV file is neither UTF-8 nor GB18030 text")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the data rows, each with its row number as a spreadsheet shows it
    (the header is row 1). Blank rows are skipped but keep the numbering."""
    if is_xlsx(content):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise UnreadableFile(f"the XLSX file cannot be read ({exc})") from exc
        sheet = book.worksheets[0]
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    else:
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(_decode(content)))]
    if not table:
        raise UnreadableFile("the file is empty")
    header = [h.strip().lower() for h in table[0]]
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(values):
            continue
        rows.append(
            (number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h})
        )
    return header, rows


def _values(item: CatalogueItem) -> list[Any]:
    return [
        item.catalogue,
        item.occupation_code,
        item.occupation_name,
        item.level,
        "|".join(item.training_types),
        item.standard_hours,
        item.subsidy_fen,
        item.industry or "",
    ]


def write_csv(items: Sequence[CatalogueItem]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese names correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_values(i) for i in items)
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(items: Sequence[CatalogueItem], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(COLUMNS))
    for item in items:
        sheet.append(_values(item))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
