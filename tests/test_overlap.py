"""No figure covers another: the bounding boxes of every image and plotly figure are
disjoint in the report (en, ja) and in the web app, at first load and after settling.

A real headless Chromium measures the layout (the oracle); it caught the report's 3D
figure drawing 1100 px wide over the contour map beside it before the layout settled.
"""

from pathlib import Path

import pytest

from losslab.cli import main
from tests.test_app import server  # noqa: F401  (the app's fixture: a served losslab)
from tests.test_browser import browser  # noqa: F401  (Debian's Chromium via Playwright)

pytestmark = pytest.mark.browser

#: Every figure on the page and its box; ``.js-plotly-plot`` is the outer plotly div.
#: A plotly figure's box is the union of its div and the SVGs it drew (which may overflow it).
BOXES = """() => [...document.querySelectorAll('img, .js-plotly-plot')]
    .filter(e => !e.parentElement.closest('.js-plotly-plot'))
    .map(e => { const rs = [e, ...e.querySelectorAll('.main-svg')]
                    .map(x => x.getBoundingClientRect()).filter(r => r.width > 0);
                const x0 = Math.min(...rs.map(r => r.left)), y0 = Math.min(...rs.map(r => r.top));
                const x1 = Math.max(...rs.map(r => r.right));
                const y1 = Math.max(...rs.map(r => r.bottom));
                return {name: e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.alt || ''),
                        x: x0 + scrollX, y: y0 + scrollY, w: x1 - x0, h: y1 - y0}; })
    .filter(b => b.w > 0 && b.h > 0)"""


def overlaps(boxes: list[dict]) -> list[str]:
    """Pairs of boxes that share more than one pixel in both directions."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if dx > 1 and dy > 1:
                found.append(f"{a['name']} {a} and {b['name']} {b} overlap by {dx:.0f}x{dy:.0f}")
    return found


def test_overlaps_finds_a_covering_box():
    a = {"name": "a", "x": 0, "y": 0, "w": 100, "h": 50}
    assert overlaps([a, {"name": "b", "x": 101, "y": 0, "w": 10, "h": 10}]) == []
    assert len(overlaps([a, {"name": "b", "x": 50, "y": 20, "w": 100, "h": 10}])) == 1


def check_page(page, shots: Path, label: str) -> int:
    """Boxes at first paint and after the layout settled; screenshots of both."""
    first = page.evaluate(BOXES)
    page.screenshot(path=str(shots / f"{label}-first.png"), full_page=True)
    assert overlaps(first) == [], label
    page.wait_for_timeout(1500)
    settled = page.evaluate(BOXES)
    page.screenshot(path=str(shots / f"{label}-settled.png"), full_page=True)
    assert overlaps(settled) == [], label
    return len(settled)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_report_figures_do_not_overlap(tmp_path, browser, lang):  # noqa: F811
    out = tmp_path / "out"
    assert main(["demo", "--out", str(out), "--quiet", "--lang", lang]) == 0
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto((out / "report.html").as_uri(), wait_until="load")
    page.wait_for_function("document.querySelector('.js-plotly-plot')?._fullData?.length > 0")
    assert check_page(page, tmp_path, f"report-{lang}") >= 12
    page.close()


def test_app_figures_do_not_overlap(tmp_path, server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2")
    assert check_page(page, tmp_path, "app") >= 2
    page.close()
