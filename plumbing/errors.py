"""One error base rendered as RFC 9457 problem+json, with Chinese titles by default."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://jineng.example/problems/"

# code -> (status, Chinese title, English title). Codes are stable: clients switch on them.
CODES: dict[str, tuple[int, str, str]] = {
    "validation_failed": (422, "请求数据不合法", "Request data is not valid"),
    "invalid_id_number": (422, "身份证号码无效", "Resident ID number is not valid"),
    "invalid_credit_code": (422, "统一社会信用代码无效", "Unified social credit code is not valid"),
    "invalid_phone": (422, "手机号码无效", "Mobile number is not valid"),
    "unknown_unit": (422, "未知的县市区代码", "Unknown unit code"),
    "not_found": (404, "资源不存在", "Resource not found"),
    "method_not_allowed": (405, "不支持该请求方法", "Method not allowed"),
    "unauthorized": (401, "未登录或登录已失效", "Authentication required"),
    "invalid_credentials": (401, "用户名或密码错误", "Wrong username or password"),
    "invalid_token": (401, "令牌无效或已过期", "Token is invalid or expired"),
    "forbidden": (403, "无权执行此操作", "Not allowed"),
    "rate_limited": (429, "请求过于频繁，请稍后再试", "Too many requests; try again later"),
    "account_locked": (
        423,
        "密码错误次数过多，账号已临时锁定",
        "Too many wrong passwords; the account is locked for a while",
    ),
    "payload_too_large": (413, "请求体过大", "The request body is too large"),
    "invalid_state": (409, "当前状态不允许此操作", "Not allowed in the current state"),
    "conflict": (409, "与现有数据冲突", "Conflicts with existing data"),
    "offering_full": (409, "该培训班名额已满", "The offering is full"),
    "yearly_cap_reached": (
        409,
        "本年度补贴培训次数已达上限",
        "The yearly limit of subsidised trainings is reached",
    ),
    "occupation_level_already_subsidised": (
        409,
        "同一职业同一等级不能重复享受补贴",
        "This occupation and level has already been subsidised",
    ),
    "not_eligible": (409, "不符合补贴培训条件", "Not eligible for subsidised training"),
    "profile_required": (409, "请先完成实名登记", "Complete the real-name profile first"),
    "id_number_taken": (
        409,
        "该身份证号码已被其他账号登记",
        "This ID number is registered to another account",
    ),
    "institution_inactive": (
        409,
        "培训机构已被暂停或撤销",
        "The institution is suspended or revoked",
    ),
    "evaluation_body_inactive": (
        409,
        "鉴定机构已被暂停或撤销",
        "The evaluation body is suspended or revoked",
    ),
    "outside_body_scope": (
        403,
        "鉴定机构无该职业等级的评价资质",
        "The evaluation body is not accredited for this occupation and level",
    ),
    "accreditation_lapsed": (
        409,
        "鉴定机构不在备案有效期内",
        "The evaluation body is not accredited on this date",
    ),
    "not_in_evaluation_catalogue": (
        409,
        "该职业等级不在评价目录中",
        "The occupation and level is not in the evaluation catalogue",
    ),
    "session_full": (409, "该考评场次名额已满", "The evaluation session is full"),
    "certificate_revoked": (
        409,
        "证书已被撤销，不能据此申领补贴",
        "The certificate is revoked; no subsidy can be claimed on it",
    ),
    "not_approved": (
        409,
        "培训机构未获批该职业等级",
        "The institution is not approved for this occupation and level",
    ),
    "not_in_catalogue": (
        409,
        "该职业等级不在培训目录中",
        "The occupation and level is not in a training catalogue",
    ),
    "training_type_not_offered": (
        409,
        "该职业等级的培训目录未列此培训类型",
        "The catalogue item does not offer this training type",
    ),
    "insufficient_attendance": (
        409,
        "学时不足，不能结业",
        "Not enough attended hours to complete",
    ),
    "date_in_past": (422, "日期不能早于今天", "The date is in the past"),
    "delivery_not_confirmed": (
        409,
        "学员尚未确认培训已完成交付",
        "The worker has not confirmed that the training was delivered",
    ),
    "delivery_already_recorded": (
        409,
        "学员已确认或已提出异议",
        "The worker has already confirmed or disputed the delivery",
    ),
    "learning_flags_open": (
        409,
        "学习记录存在待核查的异常",
        "Anomaly flags on the learning records await review",
    ),
    "insufficient_funds": (409, "专账余额不足", "The special account has insufficient funds"),
    "already_paid": (409, "该申领已支付", "The claim has already been paid"),
    "same_person": (
        403,
        "审核、审批、复核与支付须由不同人员办理",
        "Review, approval, countersigning and payment need different people",
    ),
    "public_notice_running": (
        409,
        "申领仍在公示期内",
        "The claim's public notice is still running",
    ),
    "public_notice_closed": (
        409,
        "申领不在公示期内",
        "The claim is not on public notice",
    ),
    "objections_open": (409, "申领有未处理的异议", "The claim has undecided objections"),
    "countersign_required": (
        409,
        "大额申领须另一名财务人员复核",
        "A second finance officer must countersign this claim first",
    ),
    "already_claimed": (409, "该补贴已申领", "This subsidy has already been claimed"),
    "not_entitled": (409, "不符合该项补贴条件", "Not entitled to this subsidy"),
    "claim_deadline_passed": (409, "已超过申领期限", "The deadline for this claim has passed"),
    "idempotency_key_reused": (
        422,
        "幂等键已用于其他请求",
        "The Idempotency-Key was used for a different request",
    ),
    "request_in_progress": (
        409,
        "相同幂等键的请求正在处理",
        "A request with this Idempotency-Key is in progress",
    ),
    "version_out_of_order": (
        409,
        "目录版本生效日期不能早于今天或上一版本",
        "A catalogue version cannot take effect in the past or before the latest version",
    ),
    "empty_version": (409, "新版本与现行目录没有差别", "The new version would change nothing"),
    "catalogue_import_invalid": (
        422,
        "导入文件有错误，目录未作任何修改",
        "The uploaded catalogue has errors; nothing was changed",
    ),
    "class_plan_not_approved": (
        409,
        "开班计划尚未审核通过",
        "The class-start plan of this offering is not approved",
    ),
    "class_plan_invalid": (
        409,
        "开班计划不符合要求",
        "The class-start plan does not fit the offering",
    ),
    "outcome_unknown": (
        409,
        "上次请求超时，结果未知，请先核对账目",
        "The first request with this key timed out and may have landed; check before repeating",
    ),
    "service_unavailable": (503, "服务暂时不可用，请稍后重试", "Service temporarily unavailable"),
    "bad_gateway": (502, "下游服务返回错误", "A downstream service failed"),
    "gateway_timeout": (504, "下游服务超时", "A downstream service timed out"),
    "internal_error": (500, "服务器内部错误", "Internal server error"),
}


class DomainError(Exception):
    """A business outcome with a stable code; rendered as problem+json, never a 500."""

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        known = CODES.get(code)
        self.code = code
        self.status = status if status is not None else (known[0] if known else 400)
        self.detail = detail or (known[2] if known else code)
        self.headers = headers or {}
        self.extra = extra
        super().__init__(f"{code}: {self.detail}")


class NotFound(DomainError):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__("not_found", f"{what} {ident} does not exist", resource=what)


class InvalidState(DomainError):
    """A transition from the wrong state; the body carries the current state."""

    def __init__(self, current: str, action: str) -> None:
        super().__init__(
            "invalid_state",
            f"cannot {action} while the status is '{current}'",
            current_status=current,
        )


class Forbidden(DomainError):
    def __init__(self, detail: str = "not allowed for this account") -> None:
        super().__init__("forbidden", detail)


def wants_english(request: Request) -> bool:
    lang = request.headers.get("accept-language", "")
    first = lang.split(",")[0].strip().lower()
    return first.startswith("en")


def title_for(code: str, english: bool) -> str:
    known = CODES.get(code)
    if known is None:
        return code
    return known[2] if english else known[1]


def problem_body(
    request: Request, code: str, status: int, detail: str, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title_for(code, wants_english(request)),
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None)
        or request.headers.get("x-request-id"),
    }
    body.update(extra)
    return body


def problem_response(
    request: Request,
    code: str,
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_body(request, code, status, detail, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(request, exc.code, exc.status, exc.detail, exc.headers, **exc.extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    # A validator may raise a DomainError code through ValueError("code:...") — see ids.py.
    code = "validation_failed"
    for e in exc.errors():
        ctx = e.get("ctx") or {}
        err = ctx.get("error")
        if isinstance(err, CodedValueError):
            code = err.code
            break
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    detail = f"{'.'.join(first['loc'])}: {first['msg']}"
    return problem_response(request, code, CODES[code][0], detail, errors=errors)


def allowed_methods(request: Request) -> str:
    """The `Allow` header of a 405: the methods of every route serving this path. Starlette
    names only those of the first route that matched, so a path whose GET and PUT are
    declared apart would advertise one of them."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        path = context.path
        if path is not None and compile_path(path)[0].match(request.url.path):
            methods |= getattr(context.route, "methods", None) or set()
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers) if exc.headers else {}
    if status == 400:
        # The framework's answer to a body it cannot parse (not UTF-8, a broken multipart):
        # bad input like any other, so the same 422 validation_failed as malformed JSON.
        status = 422
    if status == 405:
        headers["Allow"] = allowed_methods(request)
    code = {
        404: "not_found",
        405: "method_not_allowed",
        401: "unauthorized",
        403: "forbidden",
        413: "payload_too_large",
    }.get(status, "validation_failed" if status < 500 else "internal_error")
    return problem_response(request, code, status, str(exc.detail), headers or None)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, "internal_error", 500, "an unexpected error occurred")


class CodedValueError(ValueError):
    """A ValueError from a field validator that maps to a specific problem code."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
