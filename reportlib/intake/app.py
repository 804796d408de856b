"""The web application (Starlette): per-unit upload pages and the analyst's board.

Routes — every one but ``/`` needs a token in its path, checked on every request:

* ``GET /u/<token>``: the unit's page (its KPIs for the quarter, what is accepted, its uploads);
* ``POST /u/<token>/upload``: a workbook in, the check of every row out, with a receipt;
* ``GET /board/<token>``: the board of the quarter; ``/board/<token>/reports/…``: the reports.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reportlib import quarters
from reportlib.intake import board, check, storage, upload
from reportlib.intake.guard import Guard, SecurityHeaders
from reportlib.intake.rules import MAX_UPLOAD_BYTES, OUTCOMES
from reportlib.intake.screen import Refusal, check_name, check_size, size_text, sniff, stored_extension
from reportlib.intake.tokens import BOARD, UNIT, Grant, TokenStore
from reportlib.workspace import Workspace

log = logging.getLogger("reportlib.intake")
INGEST_LOCK = threading.Lock()  # one ingest at a time: they are CPU-bound, and share module state


class Intake:
    """The application's state: workspace, tokens, page templates, the year's ingest."""

    def __init__(self, ws: Workspace, *, max_bytes: int = MAX_UPLOAD_BYTES, clock=dt.datetime.now):
        self.ws, self.max_bytes, self.clock = ws, max_bytes, clock
        self.store = TokenStore(ws.intake)
        self.guard = Guard(self.store)
        self.years = check.YearIngest()
        self._row_kpis: dict[tuple, dict] = {}
        self.pages = Environment(loader=PackageLoader("reportlib.intake", "pages"),
                                 autoescape=select_autoescape(("html",), default=True))

    # -- data ------------------------------------------------------------------

    def plan(self, quarter: str):
        from reportlib.report.data import cached_plan

        return cached_plan(self.ws.plan_file(quarters.quarter_year(quarter)))

    def organization(self, plan) -> str:
        return str(getattr(plan, "organization", "") or self.ws.organization() or "")

    def year_result(self, plan):
        with INGEST_LOCK:
            return self.years.get(self.ws, plan)

    def row_kpis(self, plan, rel: str) -> dict:
        """:func:`check.row_kpis` of a stored file, remembered while the file is unchanged."""
        path = self.ws.actuals_raw / rel
        try:
            stat = path.stat()
        except OSError:
            return {}
        key = (rel, stat.st_size, stat.st_mtime_ns, plan.sha256)
        if key not in self._row_kpis:
            self._row_kpis[key] = check.row_kpis(path, rel, plan)
        return self._row_kpis[key]

    def grant(self, request, role: str) -> Grant:
        address = request.client.host if request.client else "unknown"
        return self.guard.authorize(request.path_params["token"], address, role, self.clock().date())

    # -- pages -----------------------------------------------------------------

    def render(self, name: str, status: int = 200, **context) -> HTMLResponse:
        context.setdefault("outcomes", OUTCOMES)
        return HTMLResponse(self.pages.get_template(name).render(**context), status_code=status)

    def unit_page(self, grant: Grant, token: str, status: int = 200, **extra) -> HTMLResponse:
        plan = self.plan(grant.quarter)
        result = self.year_result(plan)
        organization = self.organization(plan)
        label = quarters.quarter_label(grant.quarter)
        deadline = board.cn_date(grant.expires_date())
        return self.render(
            "unit.html", status, title=f"{organization}{label}重点工作完成情况报送", subtitle=f"{grant.unit} · 报送截止 {deadline}",
            organization=organization, quarter_label=label, deadline=deadline, limit=size_text(self.max_bytes),
            upload_url=f"/u/{token}/upload", csrf=self.guard.csrf_token(grant),
            uploads=board.uploads_of(storage.read_log(self.ws), grant.quarter, grant.unit),
            kpis=board.kpi_rows(plan, grant.unit, result, grant.quarter), **extra)

    def error_page(self, refusal: Refusal, request=None) -> HTMLResponse:
        organization = self.ws.organization() or "本单位"
        return self.render("error.html", refusal.status, title="重点工作完成情况报送", subtitle="",
                           organization=organization, heading="无法打开", message=refusal.message(organization=organization))

    # -- uploads ---------------------------------------------------------------

    def accept(self, grant: Grant, spooled: storage.Spooled) -> tuple[check.CheckResult, str]:
        """Screen, check and store one spooled upload; returns (check result, receipt number)."""
        check_name(spooled.original_name)
        check_size(spooled.size, self.max_bytes)
        fmt = sniff(spooled.path)
        extension = stored_extension(spooled.original_name, fmt)
        named = spooled.path.with_suffix(extension)
        spooled.path.rename(named)
        spooled.path = named
        name = storage.stored_name(grant.unit, spooled.received, spooled.sha256, extension)
        rel = f"{grant.quarter}/{name}"
        plan = self.plan(grant.quarter)
        with INGEST_LOCK:
            result = check.check_upload(self.ws, plan, grant.unit, spooled.path, rel)
            rel = storage.store(self.ws, grant.quarter, spooled, name)
        receipt = storage.receipt_of(spooled.received, spooled.sha256)
        storage.append_log(self.ws, {
            "event": "upload", "time": spooled.received.isoformat(timespec="seconds"), "quarter": grant.quarter,
            "unit": grant.unit, "link": grant.id, "receipt": receipt, "file": rel, "sha256": spooled.sha256,
            "size": spooled.size, "original_name": spooled.original_name, "counts": result.counts()})
        log.info("upload stored: %s %s receipt %s", grant.unit, rel, receipt)
        return result, receipt

    def log_refusal(self, grant: Grant, refusal: Refusal, spooled: storage.Spooled | None, received: dt.datetime) -> None:
        organization = self.ws.organization()
        storage.append_log(self.ws, {
            "event": "refused", "time": received.isoformat(timespec="seconds"), "quarter": grant.quarter,
            "unit": grant.unit, "link": grant.id, "code": refusal.code,
            "message": refusal.message(organization=organization, limit=size_text(self.max_bytes)),
            "original_name": spooled.original_name if spooled else "", "size": spooled.size if spooled else None,
            "sha256": spooled.sha256 if spooled else ""})
        log.info("upload refused: %s %s", grant.unit, refusal.code)


def create_app(ws: Workspace, *, max_bytes: int = MAX_UPLOAD_BYTES, clock=dt.datetime.now) -> Starlette:
    """The Starlette application serving workspace ``ws``."""
    intake = Intake(ws, max_bytes=max_bytes, clock=clock)
    storage.clean_spool(ws)

    async def home(request):
        organization = ws.organization() or "本单位"
        return intake.render("error.html", 200, title="重点工作完成情况报送", subtitle="", organization=organization,
                             heading="请使用本单位的专用链接",
                             message=f"各责任单位请打开{organization}发送的本单位专用链接（也写在填报模板的“填报说明”中）报送。")

    async def unit_page(request):
        grant = intake.grant(request, UNIT)
        return await run_in_threadpool(intake.unit_page, grant, request.path_params["token"])

    async def unit_upload(request):
        grant = intake.grant(request, UNIT)
        received = intake.clock()
        spooled = None
        try:
            form = await upload.receive(request, ws, intake.max_bytes, received)
            spooled = form.file
            if form.refusal:
                raise form.refusal
            intake.guard.check_csrf(grant, form.fields.get("csrf", ""))
            if spooled is None:
                raise Refusal("no_file")
            result, receipt = await run_in_threadpool(intake.accept, grant, spooled)
        except Refusal as refusal:
            if spooled is not None:
                spooled.path.unlink(missing_ok=True)
            intake.log_refusal(grant, refusal, spooled, received)
            message = refusal.message(organization=ws.organization(), limit=size_text(intake.max_bytes))
            return await run_in_threadpool(intake.unit_page, grant, request.path_params["token"], refusal.status, refusal=message)
        return await run_in_threadpool(
            intake.unit_page, grant, request.path_params["token"], 200, result=result, receipt=receipt,
            received=board.cn_time(received), original_name=spooled.original_name)

    async def board_page(request):
        grant = intake.grant(request, BOARD)
        return await run_in_threadpool(_board, intake, grant, request.path_params["token"])

    async def refused(request, exc: Refusal):
        return intake.error_page(exc, request)

    async def http_error(request, exc: HTTPException):
        return intake.error_page(Refusal("not_found") if exc.status_code == 404 else Refusal("not_form"), request)

    async def server_error(request, exc: Exception):
        log.exception("页面出错")
        return HTMLResponse("<!DOCTYPE html><meta charset=utf-8><p>系统出错，请稍后再试；如一直出错，请联系汇总人员。</p>", status_code=500)

    routes = [
        Route("/", home),
        Route("/u/{token}", unit_page, methods=["GET"]),
        Route("/u/{token}/upload", unit_upload, methods=["POST"]),
        Route("/board/{token}", board_page, methods=["GET"]),
        Mount("/board/{token}/reports", app=BoardReports(intake)),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)],
                     exception_handlers={Refusal: refused, HTTPException: http_error, Exception: server_error})


def _board(intake: Intake, grant: Grant, token: str) -> HTMLResponse:
    plan = intake.plan(grant.quarter)
    result = intake.year_result(plan)
    events = storage.read_log(intake.ws)
    statuses, problems = board.board_rows(plan, grant.quarter, result, events, lambda rel: intake.row_kpis(plan, rel))
    organization = intake.organization(plan)
    label = quarters.quarter_label(grant.quarter)
    unit_deadlines = [g.expires_date() for g in intake.store.grants().values()
                      if g.quarter == grant.quarter and g.role == UNIT and not g.revoked]
    deadline = board.cn_date(max(unit_deadlines)) if unit_deadlines else "未设置"
    has_reports = (intake.ws.reports / "index.html").exists()
    return intake.render(
        "board.html", title=f"{organization}{label}报送情况", subtitle="汇总人员工作台（仅限汇总人员使用，请勿转发本页链接）",
        organization=organization, now=board.cn_time(intake.clock()), deadline=deadline, units=statuses,
        submitted=sum(1 for s in statuses if s.submitted), total_kpis=sum(s.kpis for s in statuses),
        total_missing=sum(s.missing for s in statuses), problems=problems,
        remind=board.remind_list(plan, grant.quarter, result),
        reports_url=f"/board/{token}/reports/index.html" if has_reports else "")


class BoardReports:
    """The workspace's ``reports/`` (read-only, links followed inside it) behind the board's token."""

    def __init__(self, intake: Intake):
        self.intake = intake
        self.files = StaticFiles(directory=intake.ws.reports, follow_symlink=True, check_dir=False)

    async def __call__(self, scope, receive, send):
        address = scope.get("client")[0] if scope.get("client") else "unknown"
        try:
            self.intake.guard.authorize(scope["path_params"]["token"], address, BOARD, self.intake.clock().date())
        except Refusal as refusal:
            await self.intake.error_page(refusal)(scope, receive, send)
            return
        if not self.intake.ws.reports.is_dir():
            await self.intake.error_page(Refusal("not_found"))(scope, receive, send)
            return
        await self.files(scope, receive, send)
