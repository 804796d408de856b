"""Generated workspaces with big plans (83, 300, 1000 KPIs …) for the scaling benchmark and tests.

``make_workspace(root, kpis=300)`` writes a complete workspace: ``workspace.yaml``, the plan
document (text in the usual 一、/（一）/1. shape, so ``reportlib plan extract`` has something
of the same size to read), the reviewed plan file ``data/raw/plans/2025/plan.yaml`` and CSV
submissions of every reporting unit for 2025 Q1–Q3 (``data/raw/actuals/2025Q<n>/``).

The plan has five pillars, tasks of about five KPIs each (so a 1000-KPI plan has 200 KPIs and
40 tasks per pillar), a mix of every KPI kind, long KPI names and long 责任单位 names (the
cases that break a layout), and figures that give every status: ahead, on track, behind,
severely behind, done, and a few KPIs never reported.

Deterministic: a fixed seed and fixed dates give the same bytes on every run.
``python -m bench.big_plan FOLDER KPIS``.
"""
from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

import yaml

SEED = 20251201
YEAR = 2025
QUARTERS = (1, 2, 3)
ORGANIZATION = "示例县"
PILLARS = (
    "聚力做好党建文章,推动高质量党建突破攀升",
    "聚力增强产业质效,加快绿色低碳高质量发展",
    "聚力提升城市品质,增强城市美誉度吸引力",
    "聚力保障和改善民生,提升高品质生活成色",
    "聚力统筹发展和安全,巩固高质量发展环境",
)
KPIS_PER_TASK = 5
TASK_WORDS = ("推动", "提升", "深化", "抓好", "加快", "探索", "筑牢", "开展")
TASK_TOPICS = ("基层治理", "产业招商", "城市更新", "民生实事", "文明实践", "安全生产", "营商环境", "生态环保",
               "乡村振兴", "为民服务")
AREAS = ("东城", "西城", "南关", "北岭", "新村", "河滨", "山头", "岭西")
# (kind, unit, target range or None, name pattern); each KPI takes the next in turn.
KINDS = (
    ("count", "个", (5, 400), "新建{area}片区{topic}服务站点"),
    ("rate", "%", (90, 100), "{area}片区{topic}事项按期办结率"),
    ("count", "家", (10, 800), "培育{area}片区{topic}示范单位并完成验收挂牌"),
    ("area", "平方米", (2000, 90000), "完成{area}片区{topic}改造提升面积"),
    ("milestone", None, None, "制定{area}片区{topic}工作方案并组织实施"),
    ("count", "户", (20, 3000), "走访{area}片区{topic}重点户"),
    ("recurring", "次", (1, 3), "每季度开展{area}片区{topic}专项督查"),
    ("growth_rate", "%", (5, 12), "{area}片区{topic}投资增长"),
    ("count", "处", (3, 120), "整治{area}片区{topic}问题点位"),
    ("zero_target", "件", None, "{area}片区{topic}重大事故"),
)
OWNERS = ("党建工作办公室", "经济发展办公室", "城市管理办公室（综合行政执法中队）", "社会事务办公室",
          "平安建设办公室", "应急管理和安全生产监督管理办公室", "财政所", "各村（社区）党组织",
          "退役军人服务站", "生态环境保护工作站")
# pace of a KPI (actual ÷ expected) by its index mod 20: mostly on track, some ahead, some behind
PACES = (1.0, 1.02, 0.98, 1.15, 1.0, 0.85, 1.05, 0.97, 1.0, 0.5, 1.0, 1.12, 0.99, 0.9, 1.0, 1.01, 0.6, 1.3, 1.0, 0.96)
NEVER_REPORTED_EVERY = 37  # every 37th KPI never reported
CN_NUMERALS = "一二三四五六七八九十"
HEADER = ["指标编号", "指标名称", "季度", "累计完成", "本季度完成", "单位", "完成情况", "进展说明", "填报单位", "填报人", "填报日期"]
SAMPLE_MARKER = "示例数据"  # in every file name: the reports say they are sample data
NOTES = ("按计划有序推进", "已按序时进度完成", "受天气影响进度有所滞后，下季度加快推进", "资金拨付较慢，正在协调", "")


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 40 -> 四十 (up to 99)."""
    tens, ones = divmod(n, 10)
    text = ("" if tens < 2 else CN_NUMERALS[tens - 1]) + ("十" if tens else "")
    return text + (CN_NUMERALS[ones - 1] if ones else "") if n else "零"


def plan_data(kpis: int, seed: int = SEED) -> dict:
    """The plan file's content: five pillars, tasks of about five KPIs, ``kpis`` KPIs in all."""
    rng = random.Random(seed)
    per_pillar = [kpis // len(PILLARS) + (1 if i < kpis % len(PILLARS) else 0) for i in range(len(PILLARS))]
    pillars, items, index = [], [], 0
    for p, (title, count) in enumerate(zip(PILLARS, per_pillar), start=1):
        n_tasks = max(1, -(-count // KPIS_PER_TASK))
        tasks = [{"task": f"{p}.{t}", "title": f"{TASK_WORDS[(p + t) % len(TASK_WORDS)]}"
                  f"{TASK_TOPICS[(p * 7 + t) % len(TASK_TOPICS)]}工作第{cn_number(t)}项"} for t in range(1, n_tasks + 1)]
        pillars.append({"pillar": p, "title": title, "tasks": tasks})
        for k in range(count):
            task = tasks[k % n_tasks]["task"]
            kind, unit, bounds, pattern = KINDS[index % len(KINDS)]
            name = pattern.format(area=AREAS[(index // len(KINDS)) % len(AREAS)],
                                  topic=TASK_TOPICS[(index // 3) % len(TASK_TOPICS)]) + f"（第{index + 1}号）"
            target = None
            if bounds:
                target = rng.randint(*bounds)
                if kind == "area":
                    target = target // 100 * 100
            comparator = "at_most" if kind == "zero_target" else "at_least"
            item = {"id": "", "pillar": p, "task": task, "name": name, "kind": kind,
                    "target": 0 if kind == "zero_target" else target, "unit": unit, "comparator": comparator,
                    "period": "quarter" if kind == "recurring" else "year", "schedule": None,
                    "due_quarter": (2 + index % 3) if kind == "milestone" else None,
                    "owner": OWNERS[(index * 3 + p) % len(OWNERS)],
                    "source_text": _source_text(name, kind, target, unit)}
            items.append(item)
            index += 1
    by_task: dict[str, int] = {}
    for item in items:  # ids K<pillar>.<task>.<nn>, numbered within the task
        by_task[item["task"]] = by_task.get(item["task"], 0) + 1
        item["id"] = f"K{item['task']}.{by_task[item['task']]:02d}"
    items.sort(key=lambda i: (i["pillar"], int(i["task"].split(".")[1]), i["id"]))
    return {"organization": ORGANIZATION, "parent_organization": "示例市", "year": YEAR,
            "title": f"{ORGANIZATION}{YEAR}年工作要点（生成的{kpis}项指标计划）", "source": "plan.txt",
            "pillars": pillars, "kpis": items}


def _source_text(name: str, kind: str, target, unit) -> str:
    if kind == "milestone":
        return name
    if kind == "zero_target":
        return f"确保{name}为零"
    if kind == "recurring":
        return f"{name}{target}{unit}"
    if kind in ("rate", "growth_rate"):
        return f"{name}达到{target}{unit}"
    return f"{name}{target}{unit}"


def plan_document(data: dict) -> str:
    """The plan as a document of the usual shape: title, （一） pillars, 1. tasks, KPI sentences."""
    lines = [f"标题: | {data['title']} |", f"发文日期: | {YEAR}-02-11 | 发布机构: | {ORGANIZATION} |",
             f"{YEAR}年,{ORGANIZATION}围绕高质量发展主线,初步谋划各项重点工作。"]
    kpis_by_task: dict[str, list[dict]] = {}
    for item in data["kpis"]:
        kpis_by_task.setdefault(item["task"], []).append(item)
    for pillar in data["pillars"]:
        lines.append(f"({cn_number(pillar['pillar'])}){pillar['title']}")
        for number, task in enumerate(pillar["tasks"], start=1):
            sentences = ",".join(k["source_text"] for k in kpis_by_task.get(task["task"], []))
            lines.append(f"{number}.{task['title']}。{sentences}。")
    return "\n".join(lines) + "\n"


def _figures(item: dict, index: int, q: int) -> tuple[str, str, str]:
    """(累计完成, 本季度完成, 完成情况) of a KPI in quarter q."""
    pace = PACES[index % len(PACES)]
    kind, target = item["kind"], item["target"]
    if kind == "milestone":
        done_at = 1 + index % 4
        return "", "", "已完成" if q >= done_at + (pace < 0.7) else ("推进中" if q > 1 or pace > 1 else "未启动")
    if kind == "zero_target":
        return ("1" if pace < 0.55 and q == 3 else "0"), "", ""
    if kind in ("rate", "growth_rate"):
        return f"{min(target * pace, 100.0) if kind == 'rate' else target * pace:.1f}", "", ""
    if kind == "recurring":
        return str(int(round(target * q * min(pace, 1.0)))), "", ""

    def cumulative(quarter: int) -> float:
        return round(target * quarter / 4 * pace)
    return str(int(cumulative(q))), str(int(cumulative(q) - cumulative(q - 1))), ""


def submissions(data: dict, quarter: int) -> dict[str, bytes]:
    """One UTF-8 CSV per 责任单位 for ``quarter``: file name -> bytes."""
    rows_by_owner: dict[str, list[list[str]]] = {}
    day = f"{YEAR}-{3 * quarter:02d}-{[31, 30, 30][quarter - 1] - 5:02d}"
    for index, item in enumerate(data["kpis"]):
        if index % NEVER_REPORTED_EVERY == NEVER_REPORTED_EVERY - 1:
            continue
        cumulative, increment, state = _figures(item, index, quarter)
        note = NOTES[index % len(NOTES)]
        rows_by_owner.setdefault(item["owner"], []).append(
            [item["id"], item["name"], f"{YEAR}Q{quarter}", cumulative, increment, item["unit"] or "", state, note,
             item["owner"], "张伟", day])
    files = {}
    for number, (owner, rows) in enumerate(sorted(rows_by_owner.items()), start=1):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
        files[f"{number:02d}_{owner}_{YEAR}Q{quarter}_{SAMPLE_MARKER}.csv"] = buffer.getvalue().encode("utf-8-sig")
    return files


def make_workspace(root, kpis: int, seed: int = SEED) -> Path:
    """Write a whole workspace with a generated ``kpis``-KPI plan at ``root`` (created; must be new or empty)."""
    root = Path(root)
    data = plan_data(kpis, seed)
    plan_dir = root / "data" / "raw" / "plans" / str(YEAR)
    plan_dir.mkdir(parents=True, exist_ok=True)
    for folder in ("data/processed", "reports", "logs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "workspace.yaml").write_text(f"organization: {ORGANIZATION}\n", encoding="utf-8")
    (plan_dir / "plan.txt").write_text(plan_document(data), encoding="utf-8")
    header = f"# Generated by bench/big_plan.py ({kpis} KPIs, seed {seed}); sample data.\n"
    (plan_dir / "plan.yaml").write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200),
                                        encoding="utf-8")
    for quarter in QUARTERS:
        folder = root / "data" / "raw" / "actuals" / f"{YEAR}Q{quarter}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in submissions(data, quarter).items():
            (folder / name).write_bytes(content)
    return root


def kpi_ids(kpis: int, seed: int = SEED) -> list[str]:
    """The KPI ids of the generated plan, in plan order."""
    return [item["id"] for item in plan_data(kpis, seed)["kpis"]]


if __name__ == "__main__":
    print(make_workspace(Path(sys.argv[1]), int(sys.argv[2])))
