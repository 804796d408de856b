"""Generate the sample submissions (示例数据) of the second bundled example, 示例镇 2026.

Run once, commit the output:  ``.venv/bin/python scripts/make_example_actuals.py``

The example workspace (``examples/shili-zhen``) is a fictional town whose plan document has
another structure than Chengdong's (一、 sections, （一） tasks, 1. items, headline targets in
a preface). Its units fill the real Excel template (``reportlib template``) for 2026 Q1–Q3,
as an office new to the tool would. Deterministic, like ``make_sample_actuals.py`` (whose
simulation and writer it reuses): running it twice gives byte-identical files.
"""
from __future__ import annotations

import argparse
import importlib.util
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlib.plan import load_plan  # noqa: E402
from reportlib.quarters import quarters_of_year  # noqa: E402
from reportlib.workspace import Workspace  # noqa: E402

EXAMPLE = ROOT / "examples" / "shili-zhen"
YEAR = 2026
QUARTERS = 3  # the example's units have reported Q1-Q3 (it is December 2026 and Q4 is not due yet)
SEED = 20261201
# reporter, reviewer, days after quarter end the unit reports
PEOPLE = {
    "经济发展办": ("韩梅", "高峰", 6),
    "农业农村办": ("马骏", "田园", 9),
    "社会事务办": ("许静", "白雪", 7),
    "平安建设办": ("林涛", "杜平", 5),
}


def _sample_module():
    spec = importlib.util.spec_from_file_location("make_sample_actuals", ROOT / "scripts" / "make_sample_actuals.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default=str(EXAMPLE), help="example workspace (its actuals are replaced)")
    parser.add_argument("--year", type=int, default=YEAR, help=f"plan year (default {YEAR})")
    parser.add_argument("--quarters", type=int, default=QUARTERS, help=f"quarters reported (default {QUARTERS})")
    args = parser.parse_args(argv)
    ws = Workspace(Path(args.workspace))
    plan = load_plan(ws.plan_file(args.year))
    sample = _sample_module()
    sample.PEOPLE = PEOPLE  # the writer's reporters and reporting days are this town's
    owners = sorted(set(plan.kpis["owner"]))
    if set(owners) - set(PEOPLE):
        raise SystemExit(f"plan owners without a reporter here: {sorted(set(owners) - set(PEOPLE))}")
    for quarter in quarters_of_year(args.year):
        if ws.quarter_raw(quarter).exists():
            shutil.rmtree(ws.quarter_raw(quarter))
    truth = sample.simulate(plan.kpis.to_dict("records"), args.year, random.Random(SEED + args.year))
    writer = sample.Writer(plan, truth, ws.actuals_raw)
    for quarter in quarters_of_year(args.year)[:args.quarters]:
        for owner in owners:
            writer.template_office(quarter, owner)
    for path in writer.files:
        print(path.relative_to(ws.actuals_raw).as_posix())
    print(f"{len(writer.files)} sample files written to {ws.actuals_raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
