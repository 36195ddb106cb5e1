"""The pass rule, in one place: each trade's marks come from the evaluation catalogue."""

from __future__ import annotations

from plumbing.errors import DomainError
from services.evaluation.catalogue.models import CatalogueEntry


def judge(
    entry: CatalogueEntry,
    *,
    passed: bool | None,
    score: float | None,
    theory_score: float | None,
    practical_score: float | None,
) -> tuple[bool, float]:
    """(passed, overall score) under the trade's rule (PLAN §二.(三).13, differentiated
    evaluation): theory and practical each at least their own mark. A single overall score
    stands for both parts. A `passed` that contradicts the scores is refused."""
    t_mark, p_mark = entry.theory_pass_mark, entry.practical_pass_mark
    if theory_score is not None and practical_score is not None:
        computed = theory_score >= t_mark and practical_score >= p_mark
        overall = score if score is not None else round((theory_score + practical_score) / 2, 1)
        given = f"theory {theory_score:g} and practical {practical_score:g}"
    else:
        assert score is not None
        computed = score >= t_mark and score >= p_mark
        overall = score
        given = f"score {score:g}"
    if passed is not None and passed != computed:
        mark = max(t_mark, p_mark)
        raise DomainError(
            "validation_failed",
            f"passed={str(passed).lower()} contradicts {given}: the pass mark for "
            f"{entry.occupation_code} level {entry.level} is {mark:g}"
            + (f" (theory {t_mark}, practical {p_mark})" if t_mark != p_mark else ""),
            pass_mark=mark,
            theory_pass_mark=t_mark,
            practical_pass_mark=p_mark,
        )
    return computed, overall
