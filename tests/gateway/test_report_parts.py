"""The calendar arithmetic and file helpers of the reports (no services needed)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

from gateway.flow.monthly_reports import month_span
from gateway.flow.quota_progress import expected_share, pct
from gateway.flow.report_files import attachment
from services.institutions.reporting.service import deadline_of


def test_month_spans_and_deadlines() -> None:
    assert month_span("2020-02") == (dt.date(2020, 2, 1), dt.date(2020, 2, 29))
    assert month_span("2019-12") == (dt.date(2019, 12, 1), dt.date(2019, 12, 31))
    assert deadline_of("2019-12") == dt.date(2020, 1, 5)
    assert deadline_of("2019-07") == dt.date(2019, 8, 5)


def test_even_pace_and_percentages() -> None:
    assert expected_share(2019, dt.date(2020, 3, 1)) == 1.0
    assert expected_share(2021, dt.date(2020, 3, 1)) == 0.0
    assert expected_share(2020, dt.date(2020, 7, 1)) == 183 / 366  # 2020 is a leap year
    assert pct(1, 3) == 33.3
    assert pct(5, None) is None
    assert pct(5, 0) is None


def test_chinese_file_names_survive() -> None:
    header = attachment("梁山县-2019-07-月报.xlsx", "monthly-report-liangshan-2019-07.xlsx")
    assert header.startswith('attachment; filename="monthly-report-liangshan-2019-07.xlsx"; ')
    encoded = header.split("filename*=UTF-8''")[1]
    assert encoded.isascii()
    assert unquote(encoded) == "梁山县-2019-07-月报.xlsx"
