"""The report in a real headless Chromium: no network request, maths and 3D rendered.

Chromium comes from Debian's package (tools/test.sh installs it); Playwright
drives it through ``executable_path`` and never downloads a browser.
"""

import os
import shutil
from pathlib import Path

import pytest

from losslab.cli import main

pytestmark = pytest.mark.browser

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
]


def chromium_path() -> str:
    path = os.environ.get("LOSSLAB_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is missing: run tools/test.sh, which installs Debian's chromium.")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium_path(),
            args=FLAGS,  # Playwright gives each launch a fresh, empty profile
        )
        yield b
        b.close()


def open_report(browser, folder: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((folder / "report.html").as_uri())
    page.wait_for_function("document.querySelector('.js-plotly-plot')?._fullData?.length > 0")
    return page, requests, errors


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_report_is_offline_and_renders(browser, tmp_path, lang):
    assert main(["demo", "--out", str(tmp_path), "--quiet", "--lang", lang]) == 0
    page, requests, errors = open_report(browser, tmp_path)
    outside = [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]
    assert outside == [], f"the report asked the network for {outside[:3]}"
    assert errors == []
    assert page.evaluate("document.documentElement.lang") == lang
    # MathML laid out by the browser: many formulas, each with a real size.
    heights = page.evaluate(
        "[...document.querySelectorAll('math')].map(m => m.getBoundingClientRect().height)"
    )
    assert len(heights) > 10 and min(heights) > 5
    # Every PNG decoded: the 12 figures of sections 1-8 and section 9's edge of stability.
    widths = page.evaluate("[...document.images].map(i => i.naturalWidth)")
    assert len(widths) == 13 and min(widths) > 300
    # The rotatable 3D figure: a surface, the grid points and the red minimum.
    traces = page.evaluate(
        "document.querySelector('.js-plotly-plot')._fullData.map(t => [t.type, t.name])"
    )
    kinds = [t[0] for t in traces]
    assert "surface" in kinds and kinds.count("scatter3d") == 2
    assert any("(2, 1)" in str(t[1]) for t in traces)
    assert page.evaluate("document.querySelectorAll('.js-plotly-plot canvas').length") > 0
    page.close()
