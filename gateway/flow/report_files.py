"""Report files: XLSX (one sheet per section, Chinese headers, number formats), CSV (UTF-8
with BOM so Excel reads the Chinese) and a hand-written SVG chart (no plotting dependency)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from gateway.flow.report_schemas import CityReport, Money, MonthlyReport, QuotaProgress
from plumbing.clock import SHANGHAI

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN = "#,##0.00"
COUNT = "#,##0"

GROUP_ZH = {
    "enterprise_employee": "企业职工",
    "unemployed": "失业人员",
    "college_student": "院校学生",
    "migrant_worker": "农民工",
    "poor_labour": "贫困劳动力",
    "farmer": "农民",
    "rural_leader": "农村实用人才带头人",
    "veteran": "退役军人",
    "disabled": "残疾人",
    "prisoner_rehab": "服刑和强制隔离戒毒人员",
    "special_plan": "专项计划人员",
    "unknown": "未登记",
}
SOURCE_ZH = {
    "employment_subsidy": "就业补助资金",
    "entrepreneurship": "创业资金",
    "special_training": "职业技能提升专项资金",
    "employee_education": "职工教育经费",
    "unemployment_insurance": "失业保险基金",
    "training": "培训补贴",
    "evaluation": "鉴定评价补贴",
    "living_cost": "生活费补贴",
}
STEPS_ZH = (
    ("requests", "培训需求"),
    ("selected", "选单"),
    ("accepted", "接单"),
    ("completed", "结业"),
    ("certified", "取证"),
    ("failed", "未通过评价"),
    ("dropped", "退训"),
    ("paid", "已拨付补贴人次"),
)
COUNT_HEADERS = ("选单", "接单", "结业", "取证", "未通过评价", "退训")
TYPE_ZH = {
    "employment_skills": "就业技能培训",
    "job_skill_upgrade": "岗位技能提升培训",
    "pre_job": "岗前培训",
    "transfer": "转岗培训",
    "apprenticeship": "企业新型学徒制培训",
    "technician": "技师培训",
    "entrepreneurship": "创业培训",
    "safety_skills": "安全技能培训",
    "practical_rural": "农村实用技术培训",
}
COUNT_KEYS = ("selected", "accepted", "completed", "certified", "failed", "dropped")


def _local(at: dt.datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else ""


Section = tuple[str, list[str], list[list[Any]], dict[int, str]]


def sections(report: MonthlyReport) -> list[Section]:
    """The report as (sheet title, headers, rows, {column index: number format})."""
    f = report.figures
    status = "已签发锁定" if report.status == "locked" else "草稿"
    out: list[Section] = [
        (
            "概况",
            ["项目", "内容"],
            [
                ["单位", f"{f.unit_name}（{f.unit_code}）"],
                ["月份", report.month],
                ["版本", report.revision],
                ["状态", status],
                ["签发时间（北京时间）", _local(report.signed_off_at)],
                ["说明", report.narrative or ""],
            ],
            {},
        ),
        (
            "五单进度",
            ["指标", "人次"],
            [[zh, getattr(f.steps, key)] for key, zh in STEPS_ZH],
            {1: COUNT},
        ),
        (
            "按人群",
            ["人群", *COUNT_HEADERS],
            [
                [GROUP_ZH.get(g.group, g.group), *(getattr(g, k) for k in COUNT_KEYS)]
                for g in f.by_group
            ],
            {i: COUNT for i in range(1, 7)},
        ),
        (
            "按工种等级",
            ["职业编码", "职业名称", "等级", *COUNT_HEADERS],
            [
                [
                    t.occupation_code,
                    t.occupation_name,
                    t.level,
                    *(getattr(t, k) for k in COUNT_KEYS),
                ]
                for t in f.by_trade
            ],
            {i: COUNT for i in range(3, 9)},
        ),
        (
            "按培训类型",
            ["培训类型", *COUNT_HEADERS],
            [
                [
                    TYPE_ZH.get(t.training_type, t.training_type),
                    *(getattr(t, k) for k in COUNT_KEYS),
                ]
                for t in f.by_training_type
            ],
            {i: COUNT for i in range(1, 7)},
        ),
    ]
    if f.money is not None:
        rows: list[list[Any]] = [["合计", "", f.money.subsidy_paid_fen / 100]]
        rows += [
            ["按资金来源", SOURCE_ZH.get(a.source, a.source), a.amount_fen / 100]
            for a in f.money.by_source
        ]
        rows += [
            ["按补贴类别", SOURCE_ZH.get(a.source, a.source), a.amount_fen / 100]
            for a in f.money.by_kind
        ]
        out.append(("补贴拨付", ["分类", "项目", "金额（元）"], rows, {2: YUAN}))
    inst = f.institutions
    out.append(
        (
            "培训机构",
            ["状态", "机构数"],
            [["正常", inst.active], ["暂停", inst.suspended], ["撤销", inst.revoked]],
            {1: COUNT},
        )
    )
    return out


def to_xlsx(parts: list[Section]) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, headers, rows, formats in parts:
        sheet = book.create_sheet(title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column, number_format in formats.items():
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                cell.number_format = number_format
        for i, header in enumerate(headers):
            sheet.column_dimensions[chr(ord("A") + i)].width = max(10, 2 * len(header) + 4)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as CSV in UTF-8 with a BOM, so Excel reads the Chinese (None is an empty cell)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_csv(parts: list[Section]) -> bytes:
    """All sections in one CSV, each under a title row and separated by a blank row."""
    rows: list[Sequence[Any]] = []
    for n, (title, headers, body, _) in enumerate(parts):
        if n:
            rows.append([])
        rows += [[f"【{title}】"], headers, *body]
    return csv_bytes(rows)


def attachment(name: str, ascii_fallback: str) -> str:
    """Content-Disposition with an ASCII name and the real (Chinese) one per RFC 5987/6266."""
    return f"attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def quota_chart_svg(progress: QuotaProgress) -> str:
    """Horizontal bars: each unit's completed person-times against its quota, with the
    even-pace mark; units behind pace in red."""
    rows = progress.items
    width, left, bar_w, row_h, top = 720, 130, 460, 26, 50
    height = top + row_h * max(len(rows), 1) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img">',
        f"<title>{progress.year} 年补贴性培训任务完成进度</title>",
        f'<text x="10" y="24" font-size="16">{progress.year} 年补贴性培训任务完成进度'
        f"（截至 {progress.as_of.isoformat()}）</text>",
    ]
    for i, row in enumerate(rows):
        y = top + i * row_h
        share = min((row.progress_pct or 0) / 100, 1.0)
        colour = "#d9534f" if row.behind_pace else "#2e7d32"
        quota = "未下达" if row.quota is None else f"{row.steps.completed:,} / {row.quota:,}"
        pace_x = left + bar_w * min(row.expected_pct / 100, 1.0)
        parts += [
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{escape(row.name_zh)}</text>',
            f'<rect x="{left}" y="{y + 4}" width="{bar_w}" height="16" fill="#eee"/>',
            f'<rect x="{left}" y="{y + 4}" width="{bar_w * share:.1f}" height="16" fill="{colour}">'
            f"<title>{escape(row.unit_code)}: {row.progress_pct or 0}%</title></rect>",
            f'<line x1="{pace_x:.1f}" x2="{pace_x:.1f}" y1="{y + 2}" y2="{y + 22}" stroke="#333"/>',
            f'<text x="{left + bar_w + 8}" y="{y + 16}">{quota}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)


def _money_rows(money: Money) -> list[list[Any]]:
    rows: list[list[Any]] = [["合计", "", money.subsidy_paid_fen / 100]]
    rows += [
        ["按资金来源", SOURCE_ZH.get(a.source, a.source), a.amount_fen / 100]
        for a in money.by_source
    ]
    rows += [
        ["按补贴类别", SOURCE_ZH.get(a.source, a.source), a.amount_fen / 100] for a in money.by_kind
    ]
    return rows


def quota_sections(progress: QuotaProgress) -> list[Section]:
    """Quota progress as sections: units (and the city), target groups, the three years."""
    money = any(r.money is not None for r in progress.items)
    headers = [
        "单位代码",
        "单位",
        "任务数",
        *(zh for _, zh in STEPS_ZH),
        "完成率%",
        "序时进度%",
        "滞后",
    ]
    if money:
        headers.append("已拨付补贴（元）")
    rows = []
    for r in [*progress.items, *([progress.city] if progress.city else [])]:
        row: list[Any] = [
            r.unit_code,
            r.name_zh,
            r.quota,
            *(getattr(r.steps, k) for k, _ in STEPS_ZH),
        ]
        row += [r.progress_pct, r.expected_pct, "是" if r.behind_pace else "否"]
        if money:
            row.append(r.money.subsidy_paid_fen / 100 if r.money else None)
        rows.append(row)
    formats = {i: COUNT for i in range(2, 11)} | {11: "0.0", 12: "0.0"}
    if money:
        formats[14] = YUAN
    out: list[Section] = [(f"{progress.year}年各单位进度", headers, rows, formats)]
    out.append(
        (
            "重点人群",
            ["人群", "年度目标", "选单", "结业", "取证", "完成率%"],
            [
                [
                    GROUP_ZH.get(g.group, g.group),
                    g.goal,
                    g.selected,
                    g.completed,
                    g.certified,
                    g.progress_pct,
                ]
                for g in progress.by_group
            ],
            {1: COUNT, 2: COUNT, 3: COUNT, 4: COUNT, 5: "0.0"},
        )
    )
    if progress.three_year is not None:
        t = progress.three_year
        out.append(
            (
                "三年累计",
                ["目标（人次）", "已结业", "完成率%"],
                [[t.target, t.completed, t.progress_pct]],
                {0: COUNT, 1: COUNT, 2: "0.00"},
            )
        )
    return out


def city_sections(city: CityReport) -> list[Section]:
    """The city's monthly roll-up as sections."""
    out: list[Section] = [
        (
            "概况",
            ["项目", "内容"],
            [
                ["月份", city.month],
                ["已报送单位", "、".join(city.units_reported)],
                ["未报送单位", "、".join(city.units_missing)],
            ],
            {},
        ),
        (
            "五单进度",
            ["指标", "人次"],
            [[zh, getattr(city.steps, k)] for k, zh in STEPS_ZH],
            {1: COUNT},
        ),
        (
            "按人群",
            ["人群", *COUNT_HEADERS],
            [
                [GROUP_ZH.get(g.group, g.group), *(getattr(g, k) for k in COUNT_KEYS)]
                for g in city.by_group
            ],
            {i: COUNT for i in range(1, 7)},
        ),
        (
            "按培训类型",
            ["培训类型", *COUNT_HEADERS],
            [
                [
                    TYPE_ZH.get(t.training_type, t.training_type),
                    *(getattr(t, k) for k in COUNT_KEYS),
                ]
                for t in city.by_training_type
            ],
            {i: COUNT for i in range(1, 7)},
        ),
    ]
    if city.money is not None:
        out.append(("补贴拨付", ["分类", "项目", "金额（元）"], _money_rows(city.money), {2: YUAN}))
    inst = city.institutions
    out.append(
        (
            "培训机构",
            ["状态", "机构数"],
            [["正常", inst.active], ["暂停", inst.suspended], ["撤销", inst.revoked]],
            {1: COUNT},
        )
    )
    return out


async def file_response(parts: list[Any], name: str, fallback: str, format: str) -> Response:
    """An XLSX or CSV download whose Chinese file name survives (RFC 5987 filename*)."""
    if format == "xlsx":
        content, media = await asyncio.to_thread(to_xlsx, parts), XLSX
    else:
        content, media = to_csv(parts), "text/csv; charset=utf-8"
    disposition = attachment(f"{name}.{format}", f"{fallback}.{format}")
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})
