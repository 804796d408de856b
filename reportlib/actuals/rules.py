"""Ingest rules as data, in one place: header aliases, state words, reason codes and their
Chinese messages, file limits, output columns."""
from __future__ import annotations

import re



# --------------------------------------------------------------------------- constants

MAX_FILE_BYTES = 20 * 1024 * 1024
# Limits on reading one file (reportlib.actuals.limits): each, when passed, refuses the file with a
# message naming it and the limit. Far above any real quarterly submission; they bound what a broken
# or hostile file (a zip bomb, a 19 MB cell, a FIFO) can cost in time and memory.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # an .xlsx/.ods/.xlsb unpacked (one formatted to row 1 048 576: 160 MB)
MAX_PART_BYTES = 32 * 1024 * 1024  # one part of it other than an .xlsx worksheet (shared text, styles, .ods/.xlsb sheets)
MAX_CELLS = 2_000_000  # cells holding a value, all sheets of a file together
MAX_FIELD_CHARS = 32_767  # characters in one cell: Excel's own limit
MAX_READ_SECONDS = 60  # reading one file
HEADER_SCAN_ROWS = 15
MIN_HEADER_FIELDS = 3
CSV_DELIMITERS = (",", "\t", ";")
# Extension -> the format a file of that name should hold. The reader is chosen by the
# file's content (readers.sniff_format), so a renamed file is still read.
EXTENSION_FORMATS = {
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".et": "xls", ".ods": "ods", ".xlsb": "xlsb",
    ".csv": "text", ".txt": "text", ".tsv": "text",
}
FORMAT_LABELS = {"xlsx": " .xlsx ", "xls": " .xls ", "ods": " .ods ", "xlsb": " .xlsb ", "text": "文本（CSV/制表符分隔）"}
UNSUPPORTED_EXTENSIONS = (".numbers",)
# Text files that may be something else (a readme.txt): without a header they are listed as not read.
LOOSE_TEXT_EXTENSIONS = (".txt",)
# Sheets named like this (or whose formulas sum other sheets) are a workbook's unit total;
# the other data sheets of such a workbook are per-community detail.
SUMMARY_SHEET_WORDS = ("汇总", "合计", "总表", "总计")
# A sheet named like a village or community (东坪村, 西冶社区): detail, never a unit total.
COMMUNITY_SHEET_SUFFIXES = ("村", "社区", "居委会", "居", "网格", "小区")
# Header words of columns that are never a figure (本年计划, 年度目标, 上年同期).
NOT_FIGURE_HEADER_WORDS = ("计划", "目标", "任务数", "上年", "去年", "同期")
# Why a file was not read (summary "files_not_read"; the report's 数据质量 lists them).
NOT_READ_REASONS = {
    "dot_file": "文件名以“.”开头（隐藏文件或系统文件），未读取；如是填报文件请去掉开头的“.”",
    "lock_file": "Office 临时锁定文件（~$ 开头），不是填报文件",
    "other_type": "不是填报文件类型（支持 .xlsx .xlsm .xls .et .ods .csv .txt .tsv）",
    "other_year": "属于 {year} 年度（按该年度计划导入）",
    "no_header_text": "文本文件中没有填报表头，未读取（如是填报文件，请使用模板表头）",
    "link_outside": "是指向原始数据文件夹以外的链接，未读取；请把文件本身复制到文件夹中",
    "hidden_sheet": "隐藏的工作表，未读取（如需报送，请取消隐藏后重新提交）",
    "not_a_file": "不是普通文件（是管道、设备或套接字等），未读取；如是填报文件请重新复制一份到文件夹中",
}
INSTRUCTION_SHEET_NAMES = ("填报说明", "说明", "instructions", "readme")
FOOTER_PREFIXES = (
    "填表人", "填报人", "审核人", "审核", "制表", "备注", "注:", "说明:", "单位负责人",
    "负责人", "联系电话", "合计", "总计", "小计",
)
# A given increment may differ from the change in cumulative figures by this much.
INCREMENT_TOLERANCE = 0.01
PERCENT_UNIT = "%"
PERCENT_UNIT_WORDS = ("百分比", "百分率")  # written in 单位 for %
BLANK_UNIT_TEXTS = ("", "-", "—", "/", "无")  # a 单位 cell saying "no unit"
# A leading minus sign (ASCII, full-width folded, U+2212) or 负 before a quantity: -2.5%.
NEGATIVE_SIGNS = ("-", "\u2212", "负")
# Digits grouped by commas or 顿号 (2,15 / 2、15 / 1,2345) and the only grouping that is a
# thousands separator (1,234 / 12,345.6): the rest is ambiguous (reportlib.actuals.normalize).
AMBIGUOUS_GROUPING = re.compile(r"^[-+]?\d+(?:[,、]\d+)+(?:\.\d+)?(?:\D.*)?$")
THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\D.*)?$")
POINT_IN_TIME_KINDS = ("rate", "growth_rate")
MILESTONE_KIND = "milestone"
ZERO_TARGET_KIND = "zero_target"
FORMULA_INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Words allowed around a figure written as text (约120 is fine, 见附件3 is not a number).
FIGURE_FILLER_WORDS = ("累计完成", "累计", "完成", "共计", "合计", "共", "超过", "不少于", "达到", "达")

# Words before a figure that a person reads past (同比增长8.2%); the second set negates it.
FIGURE_LEAD_WORDS = ("同比增长", "同比提高", "同比上升", "增长", "提高", "上升", "增加", "新增", "累计完成", "累计", "完成", "共计", "合计", "共")
FIGURE_NEGATING_WORDS = ("同比下降", "同比减少", "下降", "减少", "降低")
# What may follow the leading quantity of a figure with a remark: 9（含续建3个）, 9个，其中…
REMARK_OPENERS = ("(", "（", "[", "【", ",", "，", ";", "；", "、", " ", "其中", "含", "包括")
# Count units that name the same thing: a figure in one is accepted for a plan counting in
# another, flagged unit_synonym (8家 where the plan counts 个 for enterprises). Units of
# events (次, 场, 人次) or people are another dimension and stay incompatible.
COUNT_UNIT_SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset(("个", "家", "处", "所", "座", "支", "项", "件", "套", "台", "间", "条", "块", "张", "辆", "盏", "批", "类")),
    frozenset(("次", "场", "期", "届", "轮")),
    frozenset(("户", "家")),
)
# 填报日期 written as "the same as the row above".
SAME_AS_ABOVE = ("同上", "同上行", "〃", "\"", "”", "同前")
# A name this close (difflib ratio) to a plan KPI's is proposed in the reject message.
CLOSE_NAME_RATIO = 0.75
# A conflict lists at most this many of its other rows (and how many there are).
MAX_CONFLICT_OTHERS = 20

ACTUALS_FILE = "actuals"
REJECTS_FILE = "rejects"
DETAILS_FILE = "details"
SUMMARY_FILE = "ingest_summary.json"
# What an ingest wrote: the inputs' fingerprint and the sha256 of each table it wrote (checked before use).
DERIVED_FILE = "derived.json"
# Sample submissions say so in their file name, a title row or a footer.
SAMPLE_MARKER = "示例数据"
# Bump when the output format changes, so ensure_ingested re-ingests.
INGEST_FORMAT_VERSION = 3
# Modules whose code decides the ingest's output (part of the input fingerprint).
# (paths relative to the reportlib package; a folder stands for its *.py files)
INGEST_CODE_MODULES = ("actuals", "units.py", "quarters.py", "encoding.py", "progress/spec.py", "progress/rules.py")

BASE_ACTUALS_COLUMNS = [
    "kpi_id", "quarter", "cumulative", "increment", "state", "approximate", "note",
    "reporting_unit", "reporter", "report_date", "source_file", "source_sheet",
    "source_row", "superseded", "flags",
]
# judgement: accepted | warned | held | confirmed | superseded; reasons: ";"-joined rule codes
# (reportlib.actuals.judge_rules.RULES); judgement_message: the Chinese reason and what to do.
ACTUALS_COLUMNS = BASE_ACTUALS_COLUMNS + ["judgement", "reasons", "judgement_message"]
REJECT_COLUMNS = ["file", "sheet", "row", "column", "raw_value", "reason", "message", "kpi_id", "kpi_name", "quarter"]

# Field -> header spellings. Matched after normalisation (NFKC, lower case, no spaces,
# underscores, hyphens or asterisks); see header_key.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "kpi_id": ("指标编号", "编号", "指标id", "指标代码", "kpi编号", "kpi_id", "kpiid", "id", "kpi"),
    "name": ("指标名称", "名称", "指标", "指标内容", "kpi名称", "name", "kpi_name"),
    "quarter": ("季度", "填报季度", "所属季度", "统计季度", "quarter"),
    "cumulative": (
        "累计完成", "累计完成值", "累计完成数", "累计完成量", "累计", "年度累计完成",
        "截至本季度累计完成", "cumulative", "ytd",
    ),
    "increment": (
        "本季度完成", "本季度完成值", "本季度完成数", "本季完成", "当季完成", "季度完成",
        "本期完成", "本季度新增", "increment",
    ),
    "unit": ("单位", "计量单位", "unit"),
    "state": ("完成情况", "完成状态", "进展状态", "状态", "state", "status"),
    "note": ("进展说明", "进展情况", "进展", "情况说明", "说明", "备注", "note", "notes", "remark"),
    "reporting_unit": ("填报单位", "责任单位", "单位名称", "报送单位", "reporting_unit", "department", "dept"),
    "reporter": ("填报人", "联系人", "reporter"),
    "report_date": ("填报日期", "填报时间", "报送日期", "日期", "report_date", "date"),
}
FIELD_LABELS = {
    "kpi_id": "指标编号", "name": "指标名称", "quarter": "季度", "cumulative": "累计完成",
    "increment": "本季度完成", "unit": "单位", "state": "完成情况", "note": "进展说明",
    "reporting_unit": "填报单位", "reporter": "填报人", "report_date": "填报日期",
}
MIN_PREFIX_ALIAS = 3
# Fields for which two matching columns must be settled (headers.choose_columns).
CHOSEN_FIELDS = ("cumulative", "increment", "state")  # aliases shorter than this only match a header exactly

STATE_WORDS: dict[str, str] = {
    **dict.fromkeys(("已完成", "完成", "完工", "已完工", "竣工", "已竣工", "done", "completed", "complete"), "done"),
    **dict.fromkeys(
        ("推进中", "进行中", "正在推进", "实施中", "正在实施", "在建", "已启动", "inprogress", "ongoing"),
        "in_progress",
    ),
    **dict.fromkeys(("未启动", "未开始", "尚未启动", "尚未开始", "notstarted"), "not_started"),
}
STATE_LABELS = {"done": "已完成", "in_progress": "推进中", "not_started": "未启动"}
STATE_ORDER = {"not_started": 0, "in_progress": 1, "done": 2}

# Reason code -> what it means, in words an analyst understands.
REASONS: dict[str, str] = {
    "unknown_kpi": "工作计划中没有这个指标",
    "ambiguous_name": "指标名称对应多个指标，无法确定是哪一个，请填写指标编号",
    "bad_number": "不是可识别的数字",
    "incompatible_unit": "单位无法换算为计划中的单位",
    "bad_quarter": "无法识别的季度",
    "quarter_mismatch": "季度不属于本计划年度",
    "missing_value": "缺少必填内容",
    "bad_state": "完成情况应填写 已完成、推进中 或 未启动",
    "bad_date": "无法识别的填报日期（该行已采用，填报日期按未填处理）",
    "formula_without_value": "单元格是公式但没有保存计算结果（本工具不计算公式），请在 Excel 中打开、保存后重新提交，或直接填写数值",
    "duplicate_in_file": "同一文件中重复填报了同一指标同一季度",
    "missing_prior_quarter": "只填写了本季度完成，但缺少上一季度的数据，无法推算累计完成",
    "column_quarter_mismatch": "本行的季度与所用数值列写明的季度不一致，请核对季度或改填对应季度的列",
}
# Reject reason code -> what the reporting unit should send instead (the 催报 list says it).
REJECT_ACTIONS: dict[str, str] = {
    "unknown_kpi": "请按模板核对指标编号和名称后重新报送",
    "ambiguous_name": "请填写指标编号后重新报送",
    "bad_number": "请只填写数字（单位写在单位栏），重新报送",
    "incompatible_unit": "请按计划单位填写后重新报送",
    "bad_quarter": "请写明季度（如2025年第三季度）后重新报送",
    "quarter_mismatch": "请填写本年度的季度和数据后重新报送",
    "missing_value": "请补填后重新报送",
    "bad_state": "请填写已完成、推进中或未启动后重新报送",
    "formula_without_value": "请直接填写数值（不用公式）后重新报送",
    "duplicate_in_file": "请每个指标只保留一行后重新报送",
    "missing_prior_quarter": "请补报上一季度数据，或填写累计完成后重新报送",
    "column_quarter_mismatch": "请核对季度或改填对应季度的列后重新报送",
}
FILE_ERRORS: dict[str, str] = {
    "file_too_large": "文件超过大小上限",
    "unpacked_too_large": "文件解压后过大（可能已损坏，或整张表都设置了格式）",
    "too_many_cells": "文件中填有内容的单元格过多",
    "field_too_long": "有一个单元格的内容过长",
    "read_too_slow": "文件读取超时",
    "quote_swallow": "英文双引号（\"）没有配对，其后的若干行被并进了同一格，这些行会被漏读",
    "corrupt_file": "文件损坏或无法打开",
    "unsupported_format": "不支持的文件格式，请另存为 .xlsx 或 .csv",
    "undecodable": "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）",
    "no_header": "找不到表头行（应包含 指标编号/指标名称、季度、累计完成 等列）",
    "formula_without_value": REASONS["formula_without_value"],
    "link_outside": NOT_READ_REASONS["link_outside"],
    "ambiguous_columns": "有两列都可作为同一项填报内容，无法确定用哪一列",
    "no_summary_sheet": "工作簿按村（社区）分表填报，但没有汇总表：请增加名为“汇总”的工作表填写本单位合计数（分表数据只作明细，不计入进度）",
}


