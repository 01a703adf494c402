"""The dashboard in a real headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium): the demo's auction is listed, its SLA shows the three winners, the bid plot renders,
the provider view lists the matching auction. A missing browser fails the test (CI installs it
with `make browser`); a skip would hide a broken install."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture
def browser() -> Iterator[Any]:
    if not (CHROMIUM.exists() and (CHROMEDRIVER.exists() or shutil.which("chromedriver"))):
        pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} missing: run `make browser` (apt-get install "
                    "chromium chromium-driver)", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600",
                 "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def served(demo_home: dict[str, Any]) -> Iterator[str]:
    """`saiaas serve`'s app under uvicorn on a free loopback port, indexing in the background."""
    import socket

    import uvicorn
    from saiaas.market import Settings
    from saiaas.service import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(Settings(), poll=0.5)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while app.state.service.status()["behind"] != 0:  # started, and the index caught up
        assert time.monotonic() < deadline, app.state.service.status()
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_the_dashboard_in_chromium(browser: Any, served: str, demo_home: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served + "/")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.auction-row")
    listed = {r.get_attribute("data-address") for r in rows}
    assert {demo_home["demo"], demo_home["open"]} <= listed
    past = browser.find_element(By.ID, "past-auctions")
    assert past.find_element(By.CSS_SELECTOR, f"tr[data-address='{demo_home['demo']}']")
    assert "at the head" in browser.find_element(By.ID, "index-status").text

    past.find_element(By.CSS_SELECTOR, f"tr[data-address='{demo_home['demo']}'] a").click()
    assert browser.find_element(By.ID, "auction-address").text == demo_home["demo"]
    winners = browser.find_elements(By.CSS_SELECTOR, "#sla tr.winner")
    assert [w.text.split()[0] for w in winners] == ["data", "algorithm", "infrastructure"]
    assert browser.find_element(By.ID, "triplet-verdict").text == "compatible triplet"
    plot = browser.find_element(By.CSS_SELECTOR, "#bid-plot svg.plot")
    assert plot.size["width"] > 300 and plot.size["height"] > 80  # laid out, not just present
    dots = browser.find_elements(By.CSS_SELECTOR, "#bid-plot circle.bid")
    assert len(dots) == 9 and all(d.is_displayed() for d in dots)
    assert {d.get_attribute("data-category") for d in dots} == {"data", "algorithm",
                                                                "infrastructure"}
    # three winners (pay + bond), the client (unspent reserve), three losers (bond back)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#payouts tr.payout")) == 7

    browser.get(served + "/provider")
    browser.find_element(By.LINK_TEXT, "data-chest-imaging-lab").click()
    matches = browser.find_elements(By.CSS_SELECTOR, "#provider-matches tr.match-row")
    assert {m.get_attribute("data-auction") for m in matches} == {demo_home["open"]}
    assert matches[0].find_elements(By.CSS_SELECTOR, "ul.reasons li")
