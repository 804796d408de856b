"""``reportlib serve`` and ``reportlib intake links|list|revoke``."""
from __future__ import annotations

import copy
import datetime as dt
import getpass
from pathlib import Path

from reportlib import quarters, workspace
from reportlib.errors import EXIT_OK, UsageError
from reportlib.intake import board, storage
from reportlib.intake.rules import BOARD_EXTRA_DAYS, DEADLINE_DAYS, MAX_UPLOAD_BYTES
from reportlib.intake.tokens import BOARD, UNIT, TokenStore

DEFAULT_PORT = 8025
DEFAULT_BASE_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


def log_config() -> dict:
    """uvicorn's logging configuration with tokens redacted from every handler's lines."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": "reportlib.intake.guard.RedactTokens"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    config["loggers"]["reportlib"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def run_serve(args) -> int:
    """``reportlib serve``: the upload pages and the board, on ``--host``:``--port``."""
    import uvicorn

    from reportlib.intake.app import create_app
    from reportlib.intake.guard import install_log_redaction

    ws = workspace.current()
    install_log_redaction()
    app = create_app(ws, max_bytes=int(args.max_mb * 1048576))
    print(f"reportlib serve: {ws.root} 的网上报送页面 http://{args.host}:{args.port}/ （Ctrl-C 停止）", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True, forwarded_allow_ips=args.trusted_proxy,
                log_config=log_config(), workers=1, server_header=False, date_header=False)
    return EXIT_OK


def parse_deadline(text: str | None, quarter: str, today: dt.date) -> dt.date:
    """``--deadline`` (default: ``DEADLINE_DAYS`` after the quarter ends); UsageError when past."""
    if text:
        try:
            deadline = quarters.parse_date(text)
        except (ValueError, quarters.QuarterError) as exc:
            raise UsageError(f"--deadline 无法识别：{text}（请写成 2026-04-15）") from exc
    else:
        deadline = quarters.quarter_end_date(quarter) + dt.timedelta(days=DEADLINE_DAYS)
    if deadline < today:
        raise UsageError(f"报送截止日期 {board.cn_date(deadline)} 已过，链接发出即失效；请用 --deadline 指定今天或以后的日期")
    return deadline


def run_links(args) -> int:
    """``reportlib intake links``: new secret links for each unit (and the board), printed once."""
    from reportlib.report.data import cached_plan
    from reportlib.template import write_templates

    ws = workspace.current()
    quarter = _quarter(args.quarter)
    plan = cached_plan(ws.plan_file(quarters.quarter_year(quarter)))
    every = board.units_of(plan)
    units = args.unit or every
    unknown = [u for u in units if u not in every]
    if unknown:
        raise UsageError(f"计划中没有这些责任单位：{'、'.join(unknown)}（计划中的单位：{'、'.join(every)}）")
    deadline = parse_deadline(args.deadline, quarter, dt.date.today())
    board_until = deadline + dt.timedelta(days=BOARD_EXTRA_DAYS) if not args.unit else None
    tokens = TokenStore(ws.intake).issue(quarter, units, deadline, board_until)
    base = args.base_url.rstrip("/")
    links = {unit: f"{base}/u/{tokens[(UNIT, unit)]}" for unit in units}
    storage.append_log(ws, {"event": "links_issued", "time": dt.datetime.now().isoformat(timespec="seconds"),
                            "quarter": quarter, "units": units, "board": board_until is not None,
                            "expires": deadline.isoformat(), "by": getpass.getuser()})
    print(f"{quarters.quarter_label(quarter)}网上报送链接（截止 {board.cn_date(deadline)}，只显示这一次；此前发放的同单位链接已停用）：")
    for unit in units:
        print(f"  {unit}\t{links[unit]}")
    if board_until:
        print(f"  汇总人员工作台\t{base}/board/{tokens[(BOARD, '')]}（{board.cn_date(board_until)}前有效，勿外传）")
    if args.out:
        from reportlib.actuals import ensure_ingested

        ensure_ingested(plan=plan, raw_dir=ws.actuals_raw, out_dir=ws.processed(plan.year))  # last quarter's figures
        written = write_templates(plan, quarter, Path(args.out), links=links, deadline=board.cn_date(deadline))
        print(f"已把链接写入 {len(written)} 个填报模板的“填报说明”：{Path(args.out)}")
    if base == DEFAULT_BASE_URL:
        print("提示：链接按本机地址生成；在单位内网使用时请用 --base-url 写明内网地址（如 http://10.1.2.3 ）。")
    return EXIT_OK


def run_list(args) -> int:
    """``reportlib intake list``: every link issued (never the link itself) and its state."""
    store = TokenStore(workspace.current().intake)
    today = dt.date.today()
    grants = sorted(store.grants().values(), key=lambda g: (g.quarter, g.role, g.unit, g.issued))
    for g in grants:
        if args.quarter and g.quarter != _quarter(args.quarter):
            continue
        state = "已停用" if g.revoked else ("已过期" if today > g.expires_date() else "有效")
        who = "汇总人员工作台" if g.role == BOARD else g.unit
        print(f"{g.quarter}\t{who}\t编号 {g.id}\t发放 {g.issued}\t截止 {g.expires}\t{state}")
    if not grants:
        print("尚未发放任何链接（reportlib intake links --quarter 2026Q1）")
    return EXIT_OK


def run_revoke(args) -> int:
    """``reportlib intake revoke``: stop a unit's link (or the board's, or all of a quarter) now."""
    quarter = _quarter(args.quarter)
    store = TokenStore(workspace.current().intake)
    if args.all:
        revoked = store.revoke(quarter)
    elif args.board:
        revoked = store.revoke(quarter, "", BOARD)
    elif args.unit:
        revoked = store.revoke(quarter, args.unit, UNIT)
    else:
        raise UsageError("请用 --unit 单位、--board 或 --all 指明停用哪个链接")
    storage.append_log(workspace.current(), {"event": "links_revoked", "time": dt.datetime.now().isoformat(timespec="seconds"),
                                             "quarter": quarter, "links": [g.id for g in revoked], "by": getpass.getuser()})
    print(f"已停用 {len(revoked)} 个链接" + ("" if revoked else "（没有找到有效的链接）"))
    return EXIT_OK


def _quarter(text: str) -> str:
    try:
        return quarters.parse_quarter(text)
    except quarters.QuarterError as exc:
        raise UsageError(f"--quarter 无法识别：{exc}") from None


def register(subparsers) -> None:
    """Add ``reportlib serve`` and ``reportlib intake``."""
    serve = subparsers.add_parser("serve", help="网上报送：各单位上传页面与汇总人员工作台（默认只在本机 127.0.0.1）")
    serve.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1; put a reverse proxy in front for the intranet)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--max-mb", type=float, default=MAX_UPLOAD_BYTES / 1048576, help="upload size limit in MB (default 10)")
    serve.add_argument("--trusted-proxy", default="127.0.0.1",
                       help="address of the reverse proxy whose X-Forwarded-For is believed (default 127.0.0.1)")
    serve.set_defaults(func=run_serve)
    intake = subparsers.add_parser("intake", help="网上报送链接：发放、查看、停用")
    verbs = intake.add_subparsers(dest="intake_command", metavar="VERB", required=True)
    links = verbs.add_parser("links", help="为各责任单位（和汇总人员工作台）发放本季度专用链接")
    links.add_argument("--quarter", required=True, help="e.g. 2026Q1")
    links.add_argument("--deadline", help=f"last day a unit's link works (default: {DEADLINE_DAYS} days after the quarter ends)")
    links.add_argument("--base-url", default=DEFAULT_BASE_URL, help="address the units open, e.g. http://10.1.2.3")
    links.add_argument("--unit", action="append", help="only this unit (repeatable): a new link for it, the old one stops")
    links.add_argument("--out", help="also write each unit's template, with its link in 填报说明, into this folder")
    links.set_defaults(func=run_links)
    listing = verbs.add_parser("list", help="列出已发放的链接及状态（不显示链接本身）")
    listing.add_argument("--quarter")
    listing.set_defaults(func=run_list)
    revoke = verbs.add_parser("revoke", help="立即停用链接")
    revoke.add_argument("--quarter", required=True)
    revoke.add_argument("--unit")
    revoke.add_argument("--board", action="store_true")
    revoke.add_argument("--all", action="store_true")
    revoke.set_defaults(func=run_revoke)
