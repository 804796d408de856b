"""A long work plan for the ``plan extract`` benchmark, made by repeating the invented test plans.

The task bodies of tests/fixtures/plans/make_plans.py (their clauses: ranges, qualifiers,
scope, units of the genre) are laid out under 一、 sections and （一） tasks with 一是/二是
sub-items, and a 主要预期目标 preface, until the text fills about ``pages`` A4 pages. Same
``pages`` → same bytes.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

CHARS_PER_PAGE = 800  # a page of a Chinese government document, 16 pt 仿宋, about 22 x 36
TASKS_PER_SECTION = 25  # keeps 200 pages under 一百、 sections
PLANS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "plans"
_SUBITEM_RE = re.compile(r"(?:^|(?<=[。；]))[一二三四五六七八九十]是")
_LABEL_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.|（\d+）)")


def _cn(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _clauses() -> list[str]:
    """The sentences of the invented plans' task bodies, labels removed."""
    spec = importlib.util.spec_from_file_location("make_plans", PLANS / "make_plans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paragraphs = module.SHIFAN_TXT.splitlines()[3:] + module.HEXI_BODY[1:] + module.NANHU_BODY[6:]
    paragraphs += [text for level, text in module.QINGSHI_DOCX if level == 1]
    sentences = []
    for paragraph in paragraphs:
        body = _SUBITEM_RE.sub("", _LABEL_RE.sub("", paragraph.strip()))
        sentences += [s + "。" for s in re.split(r"[。]", body) if len(s) > 6 and re.search(r"\d", s)]
    return sentences


def plan_text(pages: int) -> str:
    """The text of a plan of about ``pages`` pages."""
    sentences = _clauses()
    lines = ["示例县2025年重点工作安排",
             "主要预期目标：地区生产总值增长6%以上，一般公共预算收入增长3%以上，城镇新增就业1200人。"]
    size, index, section = sum(map(len, lines)), 0, 0
    while size < pages * CHARS_PER_PAGE:
        section += 1
        heading = f"{_cn(section)}、第{_cn(section)}片区重点工作"
        lines.append(heading)
        size += len(heading)
        for task in range(1, TASKS_PER_SECTION + 1):
            picked = [sentences[(index + k) % len(sentences)] for k in range(3)]
            index += 3
            body = f"（{_cn(task)}）专项任务{task}。一是{picked[0]}二是{picked[1]}三是{picked[2]}"
            lines.append(body)
            size += len(body)
    return "\n".join(lines) + "\n"


def write(path: Path, pages: int) -> dict:
    """Write the plan as GBK text; returns facts for the table (pages, characters, sections)."""
    text = plan_text(pages)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("gbk"))
    sections = sum(1 for line in text.splitlines() if re.match(r"^[一二三四五六七八九十]+、", line))
    return {"plan_pages": pages, "plan_chars": len(text), "plan_sections": sections}
