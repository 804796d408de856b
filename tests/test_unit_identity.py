"""Every responsible unit of a plan gets a report of its own, whatever characters its name holds.

Report files are named by a stable key of the unit's name (``unit-<key>``), the name itself is in
the title only: two names that differ only in characters a file name cannot hold (``党建办/一``,
``党建办:一``) are two reports, and a name such as ``{x}`` renders. The index lists every unit.
"""
from __future__ import annotations

import re
import shutil
from html import unescape

from reportlib import build
from reportlib import workspace as wsmod
from reportlib.cli import main
from reportlib.errors import EXIT_OK

OWNERS = {"党建办": "党建办/一", "城市管理办": "党建办:一", "社会事务办": "{x}", "经济发展办": "经济/发展:办 <b>"}


def test_units_whose_names_a_file_system_cannot_hold_each_get_a_report_listed_in_the_index(tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    shutil.copytree(wsmod.PROJECT_ROOT / "data" / "raw", ws / "data" / "raw")
    monkeypatch.setenv(wsmod.WORKSPACE_ENV, str(ws))  # (reportlib -C sets it; restored after the test)
    plan_file = ws / "data" / "raw" / "plans" / "2025" / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    for old, new in OWNERS.items():
        text = text.replace(f"    owner: {old}\n", f"    owner: '{new}'\n")
    plan_file.write_text(text, encoding="utf-8")
    code = main(["-C", str(ws), "build", "--quarter", "2025Q1", "--formats", "html", "--log-file", str(tmp_path / "log")])
    assert code == EXIT_OK, (tmp_path / "log").read_text(encoding="utf-8")
    units = sorted([*OWNERS.values(), "平安建设办"])
    folder = ws / "reports" / "2025-Q1"
    files = sorted(p.name for p in folder.glob("unit-*.html"))
    assert files == sorted(f"unit-{build.unit_key(u)}.html" for u in units)
    assert all(re.fullmatch(r"unit-[0-9a-f]{10}\.html", name) for name in files)  # no unit's name in a file name
    titles = {unescape(re.search(r"<title>(.*?)</title>", (folder / name).read_text(encoding="utf-8")).group(1))
              for name in files}
    for unit in units:
        assert any(unit in title for title in titles), unit
    index = unescape((ws / "reports" / "index.html").read_text(encoding="utf-8"))
    for unit in units:
        assert unit in index, unit
    assert build.unit_key("党建办/一") == build.unit_key("党建办/一") != build.unit_key("党建办:一")
    # a unit renamed in the plan: its old report leaves the set (and the index) with the next build
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace("    owner: 平安建设办\n", "    owner: 平安办\n"),
                         encoding="utf-8")
    code = main(["-C", str(ws), "build", "--quarter", "2025Q1", "--formats", "html", "--log-file", str(tmp_path / "log")])
    assert code == EXIT_OK
    renamed = sorted([*OWNERS.values(), "平安办"])
    assert sorted(p.name for p in folder.glob("unit-*")) == sorted(f"unit-{build.unit_key(u)}.{ext}" for u in renamed
                                                                    for ext in ("html", "ipynb"))
    assert "平安建设办" not in unescape((ws / "reports" / "index.html").read_text(encoding="utf-8"))
