"""The perceptron lab of report section 5 and lab.html, in a real headless Chromium.

The oracle for the lab's paths is ``losslab.run`` on the raw data (the browser only has
the sums); the oracle for everything else is the browser itself: requests it made,
errors it logged, the boxes it laid out, the time ``performance.now`` measured in it.
"""

import contextlib
import io
import json
import re
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from losslab import load_csv, perceptron_objective, run, teacher_data, walkthrough
from losslab.cli import main
from losslab.optim.loop import DIVERGENCE_FACTOR
from losslab.optim.rules import make_optimizer
from losslab.report.lab import LAB_NAME, asset, lab_config, lab_markup, script_json
from tests.test_browser import browser  # noqa: F401  (Debian's Chromium via Playwright)
from tests.test_overlap import BOXES, overlaps

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HUBBLE = ["--csv", str(EXAMPLES / "hubble1929.csv"), "--inputs", "distance_mpc",
          "--target", "velocity_km_s"]  # fmt: skip
READY = "window.LosslabLab?.labs.length === 1 && !!LosslabLab.labs[0].bowlBox._fullData"


def oracle_data(name: str):
    """The data of each page, read by the library itself (not from the page)."""
    if name == "hubble":
        return load_csv(EXAMPLES / "hubble1929.csv", ["distance_mpc"], "velocity_km_s")
    return teacher_data()


class Demos:
    """``losslab demo`` folders, made once per test module when first asked for."""

    RUNS: ClassVar[dict[str, list[str]]] = {"default": [], "ja": ["--lang", "ja"], "hubble": HUBBLE}

    def __init__(self, root: Path):
        self.root = root
        self.made: dict[str, Path] = {}

    def __getitem__(self, name: str) -> Path:
        if name not in self.made:
            out = self.root / name
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                assert main(["demo", "--out", str(out), "--quiet", *self.RUNS[name]]) == 0
            assert f"{out / LAB_NAME}" in printed.getvalue()  # the demo says where the lab is
            self.made[name] = out
        return self.made[name]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Demos:
    """``losslab demo`` on the default teacher (en, ja) and on Hubble's CSV file."""
    return Demos(tmp_path_factory.mktemp("lab"))


def open_lab(browser, folder: Path, fragment: str = "", page_name: str = LAB_NAME,  # noqa: F811
             viewport=(1200, 900)):  # fmt: skip
    """The page with its lab started; every request routed and recorded, errors kept."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    requests, errors = [], []
    page.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()))
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    page.goto((folder / page_name).as_uri() + fragment)
    page.wait_for_function(READY)
    return page, requests, errors


def close(a, b) -> bool:
    """Equal to 1e-12, relative to the larger of 1 and the oracle's size."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= 1e-12 * np.maximum(1, np.abs(b))))


def config_of(page) -> dict:
    return page.evaluate("JSON.parse(document.querySelector('script.lab-data').textContent)")


@pytest.mark.browser
@pytest.mark.parametrize(("name", "page_name"), [("default", "report.html"), ("hubble", LAB_NAME)])
def test_paths_equal_losslab_run(browser, pages, name, page_name):  # noqa: F811
    page, requests, errors = open_lab(browser, pages[name], page_name=page_name)
    config = config_of(page)
    objective = perceptron_objective(oracle_data(name))
    limit = config["stability_limit"]
    stops = set()
    for opt in config["optimizers"]:
        # the optimizer's own rate, a zig-zag below the limit, and one past it
        for lr in (opt["rate"], 0.9 * limit, 1.2 * limit):
            js = page.evaluate(
                "([c, o, lr]) => LosslabLab.runSteps(c.sums, o.key, lr, o.hyper, [3, 2], 50,"
                " c.limits)",
                [config, opt, lr],
            )
            py = run(objective, make_optimizer(opt["key"], lr), (3.0, 2.0), steps=50)
            label = f"{name} {opt['key']} lr={lr}"
            assert js["stop"] == py.meta["stop"], label
            assert js["divergedAt"] == py.meta["diverged_at"], label
            assert close(js["path"], py.params), label
            assert close(js["losses"], py.losses), label
            assert close(js["grads"], py.gradients), label
            stops.add(js["stop"])
    if name == "default":  # the comparison reached every way a run ends
        assert stops == {"step limit", "converged", "diverged"}
    # The same through the page: each optimizer's run from a link, 50 steps from (3, 2).
    for opt in config["optimizers"]:
        page.goto("about:blank")
        fragment = f"#lab?opt={opt['key']}&lr={opt['rate']}&w=3&b=2&steps=50"
        page.goto((pages[name] / page_name).as_uri() + fragment)
        page.wait_for_function(READY)
        path = page.evaluate("LosslabLab.labs[0].run.path")
        py = run(objective, make_optimizer(opt["key"], opt["rate"]), (3.0, 2.0), steps=50)
        assert close(path, py.params), opt["key"]
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert errors == []
    page.close()


@pytest.mark.browser
def test_controls_click_and_link(browser, pages):  # noqa: F811
    page, requests, errors = open_lab(browser, pages["default"], page_name="report.html")
    lab = "LosslabLab.labs[0]"
    assert page.evaluate(f"{lab}.state") == {"opt": "gd", "lr": 0.1, "start": [3, 2], "steps": 0}
    # A click on the contour map at the pixel of (-5, 4) starts there (4 digits).
    page.evaluate(f"{lab}.contourBox.scrollIntoView()")
    x, y = page.evaluate(
        f"""(() => {{ const l = {lab}, a = l.contourBox._fullLayout, r =
        l.contourBox.getBoundingClientRect(); return [r.left + a.xaxis._offset +
        a.xaxis.l2p(-5), r.top + a.yaxis._offset + a.yaxis.l2p(4)]; }})()"""
    )
    page.mouse.click(x, y)
    start = page.evaluate(f"{lab}.state.start")
    assert abs(start[0] + 5) < 0.05 and abs(start[1] - 4) < 0.05
    # Step, then Run 10 (animated: wait for it), then the optimizer menu resets the run.
    page.get_by_role("button", name="Step", exact=True).click()
    page.fill(".lab-controls input[type=number]", "10")
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function(f"{lab}.state.steps === 11 && !{lab}.running")
    shown = page.evaluate(
        "[...document.querySelectorAll('.lab-numbers td')].map(c => c.textContent)"
    )
    assert shown[0] == "11"
    path = page.evaluate(f"{lab}.run.path")
    py = run(perceptron_objective(teacher_data()), make_optimizer("gd", 0.1), start, steps=11)
    assert close(path, py.params)
    # The overlay's polyline has the 12 points; the loss curve gets them at the next frame.
    page.wait_for_function(f"{lab}.lossBox._fullData[0].y.length === 12")
    assert page.evaluate(f"{lab}.pathLine.getAttribute('points').split(' ').length") == 12
    # The link reproduces the run in a fresh page.
    page.wait_for_function("location.hash.includes('steps=11')")  # written within 300 ms
    fragment = page.evaluate("location.hash")
    assert fragment.startswith("#lab?") and "steps=11" in fragment
    again, _, errors2 = open_lab(browser, pages["default"], fragment, page_name="report.html")
    assert close(again.evaluate(f"{lab}.run.path"), path)
    assert again.evaluate(f"{lab}.message.textContent") == ""
    again.close()
    # The optimizer menu: Adam at its own rate, from the same start, back at step 0.
    page.select_option(".lab-controls select", "adam")
    assert page.evaluate(f"{lab}.state") == {"opt": "adam", "lr": 0.2, "start": start, "steps": 0}
    # Step-through: four stages with the real numbers, the arrow, then the point moves.
    page.get_by_role("button", name="Explain one step").click()
    for _ in range(3):
        page.get_by_role("button", name="Next").click()
    items = page.evaluate(
        "[...document.querySelectorAll('.lab-explain li')].map(l => l.textContent)"
    )
    assert [s.split(".")[0] for s in items] == [
        "Predict",
        "Loss",
        "Gradient",
        "Update (Adam), step t = 1",
    ]
    page.wait_for_function(f"{lab}.state.steps === 1")
    py = run(perceptron_objective(teacher_data()), make_optimizer("adam", 0.2), start, steps=1)
    assert close(page.evaluate(f"{lab}.run.path"), py.params)
    w1 = page.evaluate(f"{lab}.run.params[0]")
    assert f"{w1:.6g}".replace("-", "−") in items[3]
    assert requests and all(u.startswith(("file:", "data:")) for u in requests)
    assert errors == [] and errors2 == []
    page.close()


#: Fragments a link may carry: broken, hostile, out of range. Each falls back to the
#: defaults with a sentence; none runs a script or logs an error.
BAD_FRAGMENTS = [
    "#lab?opt=<img src=x onerror=window.__pwned=1>",
    "#lab?opt=constructor",
    "#lab?opt=__proto__&lr=0.1",
    "#lab?lr=1e999",
    "#lab?lr=NaN",
    "#lab?lr=-0.1",
    "#lab?lr=0x10",
    "#lab?lr=1e-300",
    "#lab?w=Infinity",
    "#lab?w=1e400&b=2",
    "#lab?steps=1e9",
    "#lab?steps=2.5",
    "#lab?steps=-1",
    "#lab?lr=%E0%A4%A",
    "#lab?w=3&w=%00",
    "#lab?teacher=" + "x" * 300,
    "#lab?" + "a=1&" * 800,
    "#lab?lr=javascript:alert(1)",
]


@pytest.mark.browser
def test_bad_fragments_fall_back_to_the_defaults(browser, pages):  # noqa: F811
    folder = pages["default"]
    for fragment in BAD_FRAGMENTS:
        page, requests, errors = open_lab(browser, folder, fragment)
        state = page.evaluate("LosslabLab.labs[0].state")
        assert state == {"opt": "gd", "lr": 0.1, "start": [3, 2], "steps": 0}, fragment
        message = page.evaluate("LosslabLab.labs[0].message.textContent")
        assert "could not be read" in message, fragment
        assert page.evaluate("window.__pwned") is None
        assert errors == [] and all(u.startswith(("file:", "data:")) for u in requests)
        page.close()
    # A link made for other data: said in a sentence; the run itself is shown on these data.
    page, _, errors = open_lab(
        browser, folder, "#lab?teacher=3*x&samples=0:1:5&opt=momentum&lr=0.02&w=1&b=1&steps=4"
    )
    message = page.evaluate("LosslabLab.labs[0].message.textContent")
    assert "teacher=3*x" in message and "losslab demo" in message and "teacher=2*x + 1" in message
    assert page.evaluate("LosslabLab.labs[0].state") == {
        "opt": "momentum", "lr": 0.02, "start": [1, 1], "steps": 4}  # fmt: skip
    assert errors == []
    page.close()
    # The longest run a link may replay: there, and no step further (a sentence says why).
    page, _, errors = open_lab(browser, folder, "#lab?lr=0.001&steps=5000")
    page.get_by_role("button", name="Step", exact=True).click()
    assert page.evaluate("LosslabLab.labs[0].state.steps") == 5000
    assert "at most 5000 steps" in page.evaluate("LosslabLab.labs[0].message.textContent")
    assert errors == []
    page.close()
    # Other fragments (the report's own #s5 links) are not the lab's: no sentence.
    page, _, errors = open_lab(browser, folder, "#s5", page_name="report.html")
    assert page.evaluate("LosslabLab.labs[0].message.textContent") == "" and errors == []
    page.close()


@pytest.fixture(scope="module")
def parser_page(browser, pages):  # noqa: F811
    page, _, errors = open_lab(browser, pages["default"])
    yield page, config_of(page)
    assert errors == []
    page.close()


PIECE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["opt", "lr", "w", "b", "steps", "teacher", "seed", "=", "&", "%", "e", "."]),
    st.floats(allow_nan=True).map(repr),
    st.integers(-(10**12), 10**12).map(str),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(PIECE, max_size=12).map("".join))
@pytest.mark.browser
def test_fragment_parser_never_throws_and_keeps_ranges(parser_page, text):
    page, config = parser_page
    out = page.evaluate("([h, c]) => LosslabLab.parseFragment(h, c)", ["#lab?" + text, config])
    state = out["state"]
    assert state["opt"] in {o["key"] for o in config["optimizers"]}
    lo, hi = config["rate_range"]
    assert lo <= state["lr"] <= hi
    assert all(abs(v) <= config["max_start"] for v in state["start"])
    assert isinstance(state["steps"], int) and 0 <= state["steps"] <= config["max_steps"]
    if out["error"]:
        assert state == {"opt": "gd", "lr": 0.1, "start": [3, 2], "steps": 0}


@pytest.mark.browser
def test_a_step_answers_within_a_frame(browser, pages):  # noqa: F811
    # lr 0.01: 200 steps of gradient descent that do not converge before the end.
    page, _, errors = open_lab(browser, pages["default"], "#lab?opt=gd&lr=0.01",
                               page_name="report.html")  # fmt: skip
    button = page.get_by_role("button", name="Step", exact=True)
    for _ in range(200):
        button.click()
    timings = page.evaluate("LosslabLab.labs[0].timings")
    assert len(timings) == 200 and page.evaluate("LosslabLab.labs[0].state.steps") == 200
    p95 = float(np.percentile(timings, 95))
    draws = page.evaluate("LosslabLab.labs[0].drawTimings")
    print(
        f"one step: p95 {p95:.2f} ms, median {np.median(timings):.2f} ms (the answer); "
        f"bowl and loss curve redrawn {len(draws)} times, median {np.median(draws):.1f} ms"
    )
    # The bound: the click's answer (numbers, path on the map) within one frame.
    assert p95 < 16
    assert errors == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("size", [(390, 844), (1280, 900)])
@pytest.mark.parametrize("page_name", ["report.html", LAB_NAME])
def test_lab_lays_out_on_a_phone_and_a_desktop(browser, pages, tmp_path, lang, size,  # noqa: F811
                                                 page_name):  # fmt: skip
    page, requests, errors = open_lab(browser, pages["ja" if lang == "ja" else "default"],
                                      page_name=page_name, viewport=size)  # fmt: skip
    label = f"{page_name}-{lang}-{size[0]}"
    page.evaluate("LosslabLab.labs[0].root.scrollIntoView()")
    page.screenshot(path=str(tmp_path / f"{label}-first.png"))
    page.wait_for_timeout(1200)
    page.screenshot(path=str(tmp_path / f"{label}-settled.png"))
    boxes = page.evaluate(
        BOXES.replace(
            "document.querySelectorAll(", "document.querySelector('#lab').querySelectorAll("
        )
    )
    assert len(boxes) == 3 and overlaps(boxes) == [], label
    # Nothing wider than the screen; the controls and figures inside it.
    if page_name == LAB_NAME:
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0] + 1, label
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('#lab *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert right <= size[0] + 1, label
    # The 3D bowl is drawn: a surface and a WebGL canvas with a size.
    kinds = page.evaluate("LosslabLab.labs[0].bowlBox._fullData.map(t => t.type)")
    assert kinds[0] == "surface"
    assert page.evaluate(
        "[...LosslabLab.labs[0].bowlBox.querySelectorAll('canvas')].some(c => c.width > 100)"
    )
    assert page.evaluate("document.documentElement.lang") == lang
    assert errors == [] and all(u.startswith(("file:", "data:")) for u in requests)
    page.close()


def test_lab_script_is_plain_and_safe():
    source = asset("lab.js")
    for banned in ("eval(", "new Function", "fetch(", "XMLHttpRequest", "innerHTML",
                   "outerHTML", "insertAdjacentHTML", "document.write", "import(", "WebSocket",
                   "sendBeacon", "setTimeout(\"", "</script", "<!--"):  # fmt: skip
        assert banned.lower() not in source.lower(), banned


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_lab_adds_at_most_150_kb_to_the_report(lang):
    wt = walkthrough()
    added = len(lab_markup(wt, lang).encode()) + len(asset("lab.css").encode())
    added += len(b"<h3></h3><p></p>") + 2000  # the heading and the intro
    print(f"the lab adds {added / 1000:.1f} kB to the report ({lang})")
    assert added <= 150_000


def test_config_holds_the_library_numbers_exactly():
    wt = walkthrough()
    config = json.loads(script_json(lab_config(wt, "en")))
    q = wt.quadratic
    assert config["sums"]["Sxx"] == q.Sxx and config["sums"]["Suv"] == q.Suv
    assert config["stability_limit"] == q.stability_limit
    rates = {o["key"]: o["rate"] for o in config["optimizers"]}
    assert rates == {"gd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5,
                     "rmsprop": 0.05, "adam": 0.2}  # fmt: skip
    adam = next(o for o in config["optimizers"] if o["key"] == "adam")
    assert adam["hyper"] == {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}
    assert config["limits"] == {"tolerance": 1e-10, "divergence_bound": DIVERGENCE_FACTOR}
    assert not re.search("<", script_json({"a": "</script><!--"}))
