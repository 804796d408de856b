"""``reportlib plan review``: one self-contained page, every number marked, opened in headless Chromium.

The page is written for the bundled 2025 plan and for a draft of one of the genre documents
(tests/fixtures/plans); Chromium (Debian's chromium + chromium-driver, installed by
``make test``) is driven by selenium at a desktop and a phone width.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from reportlib import cli, workspace
from reportlib.plan import draft_plan, dump_plan_yaml, extract_file, load_document
from reportlib.plan.check import check_plan
from reportlib.plan.review_page import review_page

PLANS = Path(__file__).parent / "fixtures" / "plans"
BUNDLED = workspace.PROJECT_ROOT / "data" / "raw" / "plans" / "2025" / "plan.yaml"


def _draft_workspace(root: Path, name: str = "xiqu_2025_minsheng.txt") -> Path:
    """A workspace whose 2025 plan is the untouched draft of a genre document."""
    folder = root / "data" / "raw" / "plans" / "2025"
    folder.mkdir(parents=True)
    shutil.copyfile(PLANS / name, folder / name)
    data = draft_plan(extract_file(PLANS / name), source=name, year=2025, text=load_document(PLANS / name).text)
    (folder / "plan.yaml").write_text(dump_plan_yaml(data), encoding="utf-8")
    return folder / "plan.yaml"


def test_page_is_self_contained_and_marks_every_number(tmp_path):
    result = check_plan(BUNDLED)
    page = review_page(result)
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", page)
    assert not re.search(r"url\(\s*['\"]?(?:https?:|//)", page)
    marks = re.findall(r'class="n (kpi|not_target|context|result|to_review|target_uncovered|unaccounted)" id=', page)
    assert len(marks) == len(result.accounts) > 100
    assert marks.count("kpi") == (result.accounts["account"] == "kpi").sum()
    for kpi_id in result.plan.kpis["kpi_id"]:
        assert f'id="{kpi_id}"' in page  # every KPI is an anchor
    assert "plan check 通过" in page


@pytest.fixture
def in_workspace(monkeypatch):
    """Run the CLI with -C; the workspace it chooses does not leak into other tests."""
    monkeypatch.delenv(workspace.WORKSPACE_ENV, raising=False)
    yield
    os.environ.pop(workspace.WORKSPACE_ENV, None)


def test_review_command_writes_the_page_and_names_what_is_left(tmp_path, capsys, in_workspace):
    plan = _draft_workspace(tmp_path)
    out = tmp_path / "review.html"
    assert cli.main(["-C", str(tmp_path), "plan", "review", "--year", "2025", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "需要决定的数字" not in page or "待核" in page
    assert "计划校对" in capsys.readouterr().out
    # the default place: the workspace's reports/plan/ folder
    assert cli.main(["-C", str(tmp_path), "plan", "review", "--year", "2025"]) == 0
    assert (tmp_path / "reports" / "plan" / "2025-计划校对.html").is_file()
    assert plan.is_file()


# --------------------------------------------------------------------------
# In the browser
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    chromium, driver = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("Chromium or chromedriver not installed (make test installs Debian's chromium and chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=driver)
    session = webdriver.Chrome(options=options, service=service)
    yield session
    session.quit()


def _open(browser, path: Path, width: int):
    browser.set_window_size(width, 900)
    browser.get(path.resolve().as_uri())
    return browser


@pytest.mark.parametrize("width", [1280, 390])
def test_bundled_plan_page_in_chromium(browser, tmp_path, width):
    from selenium.webdriver.common.by import By

    result = check_plan(BUNDLED)
    page = tmp_path / "review.html"
    page.write_text(review_page(result), encoding="utf-8")
    _open(browser, page, width)
    marks = browser.find_elements(By.CSS_SELECTOR, ".doc .n")
    assert len(marks) == len(result.accounts)
    # nothing wider than the window (a phone scrolls down, never sideways)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width + 1
    # a KPI's mark leads to the KPI, and the KPI back to the mark
    kpi_mark = browser.find_element(By.CSS_SELECTOR, '.doc a.n.kpi[href="#K3.1.03"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", kpi_mark)
    kpi_mark.click()
    assert browser.execute_script("return location.hash") == "#K3.1.03"
    target = browser.execute_script("return document.querySelector(':target')")
    assert target.get_attribute("id") == "K3.1.03" and "8.5万平方米" in target.text or "K3.1.03" in target.text
    back = target.find_element(By.CSS_SELECTOR, "a")
    back.click()
    assert browser.execute_script("return document.querySelector(':target').classList.contains('n')")
    browser.save_screenshot(str(tmp_path / f"bundled-{width}.png"))


def test_draft_page_shows_numbers_to_review_in_chromium(browser, tmp_path):
    from selenium.webdriver.common.by import By

    plan = _draft_workspace(tmp_path, "donghu_2025_yaodian.txt")
    result = check_plan(plan)
    page = tmp_path / "review.html"
    page.write_text(review_page(result), encoding="utf-8")
    _open(browser, page, 1280)
    todo = browser.find_elements(By.CSS_SELECTOR, ".doc .n.to_review")
    assert len(todo) == (result.accounts["account"] == "to_review").sum() >= 1
    rows = browser.find_elements(By.CSS_SELECTOR, ".todo tbody tr")
    assert len(rows) == len(todo)
    rows[0].find_element(By.CSS_SELECTOR, "a").click()
    assert browser.execute_script("return document.querySelector(':target').classList.contains('to_review')")
    assert "未通过" in browser.find_element(By.CSS_SELECTOR, ".verdict").text
