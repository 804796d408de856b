"""Intake rules as data, in one place: limits, outcome labels, what a unit is told to change,
and why an upload is refused (each text exactly as the page shows it)."""
from __future__ import annotations

# --------------------------------------------------------------------------- limits

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # one workbook; a unit's template is a few tens of kB
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all members of a zip-based workbook, decompressed
MAX_ZIP_MEMBERS = 5000
MAX_FIELD_BYTES = 4096  # any form field that is not the file
MAX_NAME_CHARS = 200  # the uploaded file's name
DEADLINE_DAYS = 15  # default deadline: this many days after the quarter ends (季后15日内报送)
BOARD_EXTRA_DAYS = 90  # the board's link stays valid this long after the units' deadline
CSRF_LIFETIME_SECONDS = 8 * 3600  # a page's form stays usable for a working day
FAILED_TOKEN_LIMIT = 20  # failed links from one address within FAILED_TOKEN_WINDOW ...
FAILED_TOKEN_WINDOW = 600  # ... seconds lock that address out for the same time
TOKEN_BYTES = 24  # 192 random bits, URL-safe base64 (32 characters)

# --------------------------------------------------------------------------- outcomes of a row

# Outcome code -> (label on the page, CSS class). The order is the order of seriousness.
OUTCOMES: dict[str, tuple[str, str]] = {
    "rejected": ("退回", "bad"),
    "held": ("暂缓采用，待核实", "held"),
    "warned": ("已采用，请核对", "warn"),
    "accepted": ("已采用", "ok"),
    "superseded": ("已被更晚的报送替代", "old"),
    "detail": ("村（社区）明细，不计入进度", "old"),
}

# Flags that make an accepted row "warned" (a person should look), with what to change.
# Other flags are notes: the row is accepted and the note says what was done.
WARNING_FLAGS: dict[str, str] = {
    "percent_as_fraction": "如实际为 95%，请填写 95；确为不足 1% 时请连同百分号填写，如 0.5%",
    "figure_with_remark": "累计完成只填数字，文字说明请写在“进展说明”中",
    "cumulative_fell": "累计完成应为年初至本季度末的累计数，不应小于上季度；请核对",
    "state_regressed": "请核对完成情况；确有倒退的，请在进展说明中写明原因",
    "increment_inconsistent": "本季度完成应等于本季度累计完成减去上季度累计完成，请核对两列",
    "conflict": "本指标本季度另有一份填报日期相同而数值不同的报送；请确认正确数值，更正后重新上传并填写更晚的填报日期",
    "bad_date": "填报日期请写成 2026-04-08 或 2026年4月8日",
    "name_mismatch": "指标名称与编号不一致，已按编号采用；请核对是否填错行",
    "quarter_differs_from_folder": "“季度”一栏与本次报送的季度不一致，请核对",
    "approximate": "请填写确切数字，不写“约、余、近”等字",
    "unit_synonym": "请按“单位”列的计量单位填写",
    "community_sum_mismatch": "汇总表数字与各村（社区）分表合计不一致，请核对",
}

# Reject reason -> what the unit should change (the reason itself is reportlib.actuals.REASONS).
REJECT_ADVICE: dict[str, str] = {
    "unknown_kpi": "请按模板中的指标编号填写，不要改动“指标编号”“指标名称”两列",
    "ambiguous_name": "请填写指标编号",
    "bad_number": "累计完成、本季度完成只填数字，如 120 或 8.5",
    "incompatible_unit": "请按“单位”列的计量单位换算后填写数字",
    "bad_quarter": "季度请写成 2026Q1 或 2026年第一季度",
    "quarter_mismatch": "季度应为本计划年度内的季度",
    "missing_value": "请填写累计完成，里程碑类指标请选择完成情况",
    "bad_state": "完成情况请选择：已完成、推进中、未启动",
    "formula_without_value": "请直接填写数值，不要使用公式",
    "duplicate_in_file": "每个指标只填一行，请删除重复的行",
    "missing_prior_quarter": "请填写累计完成（年初至本季度末的累计数）",
    "column_quarter_mismatch": "请核对季度，或把数字填在本季度对应的列",
}
DEFAULT_ADVICE = "请按原因更正后重新上传"
SUPERSEDED_ADVICE = "无需处理；如本次数字才是正确的，请重新上传并填写更晚的填报日期"

# --------------------------------------------------------------------------- refusals

# Why a request or an upload is refused (nothing is stored): code -> (HTTP status, message).
REFUSALS: dict[str, tuple[int, str]] = {
    "bad_token": (404, "链接无效。请核对链接是否完整（应与通知中的链接一字不差），或联系{organization}汇总人员重新发送。"),
    "expired": (403, "本链接已于{expires}报送截止后失效。如需补报或更正，请联系{organization}汇总人员。"),
    "revoked": (403, "本链接已停用。请使用{organization}汇总人员新发送的链接。"),
    "rate_limited": (429, "错误链接的访问次数过多，已暂停受理本机的访问，请{minutes}分钟后再试；如链接确实无误，请联系{organization}汇总人员。"),
    "csrf": (403, "页面已过期或不是从本页提交的，请刷新本页后重新上传。"),
    "not_form": (400, "请在本页选择文件后点击“上传”。"),
    "no_file": (400, "没有收到文件，请选择填好的填报表后再点击“上传”。"),
    "empty_file": (400, "上传的文件是空文件（0 字节），请检查后重新上传。"),
    "bad_name": (400, "文件名中含有路径或特殊字符（如 / \\ .. 或控制字符），未接收。请把文件改为普通文件名（如 党建办一季度.xlsx）后上传。"),
    "too_large": (413, "文件超过 {limit}，未接收。单位填报表通常只有几十 KB，请确认选对了文件；如表中插入了图片，请删除后重新保存上传。"),
    "not_spreadsheet": (415, "上传的文件不是表格文件（{what}），未接收。请上传填好的 .xlsx、.xls、.et、.ods 或 .csv 填报表。"),
    "zip_bomb": (415, "文件解压后超过 {limit}（或内部文件过多），不像正常的填报表，未接收。请用 Excel 或 WPS 打开后重新保存，再上传。"),
    "file_error": (422, "文件无法按填报表读取，未接收：{detail}"),
    "no_rows": (422, "文件中没有任何填报数据（各指标的累计完成、本季度完成、完成情况和进展说明都是空白），未接收。请填写后重新上传。"),
    "other_units": (422, "文件中有不属于本单位的指标，未接收：{detail}。请只填报本单位的指标（可使用本单位的填报模板），删除其他行后重新上传。"),
    "not_found": (404, "没有这个页面。"),
}

# What the sniffer calls a file that is not a spreadsheet, by its first bytes (other binary
# files are caught by the NUL bytes a text file never has).
NOT_SPREADSHEET_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF 文件"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"Rar!", "RAR 压缩包"),
    (b"{\\rtf", "RTF 文档"),
)
# Text that starts like this is a web page or a script, not a CSV.
MARKUP_STARTS = ("<!doctype", "<html", "<?xml", "<script", "<svg", "#!")
