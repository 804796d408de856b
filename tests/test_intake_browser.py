"""The real pages in headless Chromium (Debian's chromium and chromedriver, which
``make test`` installs when missing): a unit uploads a workbook with a good row, a slip and a
bad row and sees the three outcomes with the KPI named; another unit's link neither sees nor
changes that unit's data; the board shows both. Screenshots of the unit page (390 px and
1280 px) and the board go to ``$INTAKE_SCREENSHOTS`` (default: the test's folder)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from intake_support import Server, issue, make_workspace, unit_name, workbook

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
A, B = unit_name(1), unit_name(2)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("chromium and chromedriver are missing: run `make test` (scripts/setup.sh --test installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def served(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    tokens = issue(ws, [A, B])
    server = Server(ws.root, tmp_path / "server.log").start()
    yield ws, tokens, server
    server.stop()


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("INTAKE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(driver, path: Path, width: int) -> None:
    """The whole page at ``width`` CSS pixels."""
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 120, 6000))
    driver.save_screenshot(str(path))


def rows_shown(driver) -> list[dict]:
    from selenium.webdriver.common.by import By

    section = driver.find_element(By.XPATH, "//h2[text()='本次上传检查结果']/..")
    return [{td.get_attribute("data-label"): td.text for td in tr.find_elements(By.TAG_NAME, "td")}
            for tr in section.find_elements(By.CSS_SELECTOR, "tbody tr")]


def upload_in_page(driver, url: str, path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url)
    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    driver.find_element(By.CSS_SELECTOR, "form.upload button").click()


def test_units_upload_and_see_their_own_rows_and_the_board_sees_both(browser, served, tmp_path):
    from selenium.webdriver.common.by import By

    ws, tokens, server = served
    shots = shots_dir(tmp_path)
    good_slip_bad = tmp_path / "第01办三季度.xlsx"
    good_slip_bad.write_bytes(workbook(ws, A, {"K1.1.01": 60, "K1.1.02": 0.93, "K1.1.03": "快完成了"},
                                       notes={"K1.1.01": "<script>document.title='hacked'</script>新建60个"}))
    upload_in_page(browser, f"{server.base}/u/{tokens[A]}", good_slip_bad)
    rows = {r["指标"].split()[0]: r for r in rows_shown(browser)}
    assert rows["K1.1.01"]["结果"] == "已采用" and "新建站点" in rows["K1.1.01"]["指标"]
    assert rows["K1.1.02"]["结果"] == "已采用，请核对" and "群众满意度" in rows["K1.1.02"]["指标"]
    assert rows["K1.1.03"]["结果"] == "退回" and "制定工作办法" in rows["K1.1.03"]["指标"]
    assert "快完成了" in rows["K1.1.03"]["填报数"] and rows["K1.1.03"]["如何更正"]
    assert "回执号" in browser.find_element(By.CSS_SELECTOR, ".receipt").text
    assert browser.title != "hacked"
    screenshot(browser, shots / "unit-1280.png", 1280)
    screenshot(browser, shots / "unit-390.png", 390)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390  # nothing wider than a phone

    # the second unit: its own page shows nothing of the first unit's; sending the first unit's KPIs is refused
    browser.get(f"{server.base}/u/{tokens[B]}")
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "K1.1.01" not in page and "第01办三季度.xlsx" not in page and "K1.2.01" in page
    foreign = tmp_path / "冒名.xlsx"
    foreign.write_bytes(workbook(ws, A, {"K1.1.01": 999}))
    upload_in_page(browser, f"{server.base}/u/{tokens[B]}", foreign)
    assert "不属于本单位" in browser.find_element(By.CSS_SELECTOR, ".refused").text
    own = tmp_path / "第02办三季度.xlsx"
    own.write_bytes(workbook(ws, B, {"K1.2.01": 30, "K1.2.03": "推进中"}))
    upload_in_page(browser, f"{server.base}/u/{tokens[B]}", own)
    assert {r["结果"] for r in rows_shown(browser)} == {"已采用"}
    browser.get(f"{server.base}/u/{tokens[A]}")
    assert "K1.1.01" in browser.find_element(By.TAG_NAME, "body").text
    cells = {tr.find_elements(By.TAG_NAME, "td")[0].text: tr.find_elements(By.TAG_NAME, "td")[3].text
             for tr in browser.find_elements(By.XPATH, "//h2[starts-with(text(),'本单位指标')]/..//tbody/tr")}
    assert cells["K1.1.01"] == "累计 60个"  # B's 999 changed nothing

    # the board
    browser.get(f"{server.base}/board/{tokens['board']}")
    table = browser.find_element(By.XPATH, "//h2[text()='各单位报送情况']/../table")
    status = {tr.find_elements(By.TAG_NAME, "td")[0].text: [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
              for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert status[A][1] == "已报送" and status[A][5] == "1" and status[B][1] == "已报送" and status[B][3] == "2"
    screenshot(browser, shots / "board-1280.png", 1280)
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "GET /u/***" in log and all(token not in log for token in tokens.values())
