"""The web app end to end, in a real headless Chromium driven by Playwright.

The server runs as a separate process (``python -m losslab serve``) on a free
loopback port; the browser is Debian's Chromium (tools/test.sh installs it).
"""

import re
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

from losslab.core.data import teacher_data
from losslab.core.objective import perceptron_objective
from losslab.optim.loop import run
from losslab.optim.rules import make_optimizer
from tests.test_browser import FLAGS, chromium_path

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "log.txt"
    log = log_path.open("w")  # a file, not a pipe: a full pipe would block the server
    process = subprocess.Popen(
        [sys.executable, "-m", "losslab", "serve", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                pytest.fail(f"the server did not start: {log_path.read_text()}")
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        yield b
        b.close()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.requests, page.errors = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#num-0")
    return page


def number(page, k: int) -> float:
    return float(page.inner_text(f"#num-{k}").replace("−", "-"))


def wait_for_change(page, k: int, old: float) -> float:
    for _ in range(100):
        value = number(page, k)
        if value != old:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"number {k} stayed {old}")


def path_length(page) -> int:
    return page.evaluate(
        "() => { const d = document.querySelector('#contour-graph .js-plotly-plot')._fullData;"
        " return d.find(t => t.mode === 'lines+markers')._length; }"
    )


def test_page_loads_offline_without_errors(server, browser):
    page = open_page(browser, server)
    page.wait_for_timeout(1000)
    assert page.errors == []
    outside = [u for u in page.requests if not u.startswith(server)]
    assert outside == []
    assert number(page, 0) == 3.0 and number(page, 1) == 2.0
    assert "loss =" in page.inner_text("#formula")
    page.close()


def test_learning_rate_step_and_run_give_the_librarys_numbers(server, browser):
    page = open_page(browser, server)
    handle = page.locator("#lr .rc-slider-handle, #lr [role=slider]").first
    handle.focus()
    for _ in range(15):
        page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(300)
    log_lr = float(handle.get_attribute("aria-valuenow"))
    assert log_lr == pytest.approx(-1.15)
    page.click("#reset")
    page.wait_for_timeout(500)
    page.click("#step")
    w1 = wait_for_change(page, 0, 3.0)
    page.fill("#runn", "30")
    page.click("#run")
    wait_for_change(page, 0, w1)
    page.wait_for_timeout(300)
    lr = float(10**log_lr)
    expected = run(perceptron_objective(teacher_data()), make_optimizer("gd", lr), [3, 2], 31)
    w, b = expected.params[-1]
    assert number(page, 0) == pytest.approx(w, rel=1e-5)
    assert number(page, 1) == pytest.approx(b, rel=1e-5)
    assert number(page, 2) == pytest.approx(expected.losses[-1], rel=1e-5)
    assert path_length(page) == 32
    assert re.search(r"0\.\d+ × 2/λmax", page.inner_text("#lr-value"))
    page.close()


def test_click_on_the_contour_moves_the_start(server, browser):
    page = open_page(browser, server)
    box = page.locator("#contour-graph .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
    w = wait_for_change(page, 0, 3.0)
    start = [float(v) for v in page.input_value("#init").split(",")]
    assert w == pytest.approx(start[0], abs=1e-2) and start[0] < 3.0 and start[1] < 2.0
    assert path_length(page) == 1
    page.close()


def test_unsafe_expression_shows_a_message_and_the_server_lives(server, browser):
    page = open_page(browser, server)
    page.fill("#teacher", "__import__('os').system('echo hacked')")
    page.press("#teacher", "Enter")
    page.wait_for_function("document.querySelector('#message').innerText.length > 0")
    assert "not allowed" in page.inner_text("#message")
    assert number(page, 0) == 3.0  # the last good view stays
    page.click("#step")
    wait_for_change(page, 0, 3.0)  # the server still answers
    page.fill("#x", "1:2")
    page.press("#x", "Enter")
    page.wait_for_function("document.querySelector('#message').innerText.includes('start:stop')")
    assert urllib.request.urlopen(server, timeout=5).status == 200
    page.close()


def test_two_tabs_do_not_share_state(server, browser):
    first, second = open_page(browser, server), open_page(browser, server)
    first.fill("#runn", "10")
    first.click("#run")
    wait_for_change(first, 0, 3.0)
    second.wait_for_timeout(500)
    assert number(second, 0) == 3.0 and path_length(second) == 1
    first.close()
    second.close()


def test_japanese_labels(server, browser):
    page = open_page(browser, server)
    page.click("text=日本語")
    page.wait_for_function("document.querySelector('#label-teacher').innerText === '教師 t(x)'")
    assert page.inner_text("#step") == "1 ステップ"
    page.wait_for_function(
        "document.querySelector('#data-graph .gtitle').textContent.includes('教師')"
    )
    page.close()


def test_port_in_use_is_one_sentence(server, capsys):
    from losslab.cli import main

    port = int(server.rsplit(":", 1)[1].strip("/"))
    assert main(["serve", "--port", str(port)]) == 2
    assert "already in use" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_numbers_match_the_closed_form(server, browser):
    from losslab.analysis.quadratic import quadratic_form

    q = quadratic_form(teacher_data())
    page = open_page(browser, server)
    assert number(page, 13) == pytest.approx(q.stability_limit, rel=1e-5)
    assert number(page, 6) == pytest.approx(q.Sxx)
    np.testing.assert_allclose([number(page, 11), number(page, 12)], q.eigenvalues, rtol=1e-5)
    page.close()


def test_small_network_trains_and_matches_the_library(server, browser):
    from losslab.app import train_network
    from losslab.lessons.networks import accuracy

    page = open_page(browser, server)
    page.fill("#net-hidden", "4")
    page.fill("#net-steps", "150")
    page.click("#net-train")
    page.wait_for_selector("#net-summary-text", timeout=60_000)
    expected = train_network("xor", "4", "tanh", "adam", 0.05, 150, "pca").run
    loss = expected.trajectory.losses[-1]
    acc = accuracy(expected.objective, expected.trajectory.params[-1])
    text = page.inner_text("#net-summary-text")
    assert f"loss {loss:.4g}" in text and f"accuracy {acc * 100:.1f}%" in text
    kinds = page.evaluate(
        "document.querySelector('#net-plane-graph .js-plotly-plot')._fullData.map(t => t.type)"
    )
    assert kinds[0] == "contour" and "scatter" in kinds
    page.fill("#net-hidden", "500,500")
    page.click("#net-train")
    page.wait_for_function("document.querySelector('#net-message').innerText.includes('64')")
    assert page.errors == []
    page.close()


def test_sgd_with_a_mini_batch_matches_the_librarys_run(server, browser):
    page = open_page(browser, server)
    page.locator("#optimizer").click()
    page.get_by_role("option", name="SGD", exact=True).click()
    page.wait_for_function("document.querySelector('#optimizer-value').innerText === 'SGD'")
    page.fill("#batch", "4")
    handle = page.locator("#lr .rc-slider-handle, #lr [role=slider]").first
    log_lr = float(handle.get_attribute("aria-valuenow"))
    page.fill("#runn", "25")
    page.click("#run")
    wait_for_change(page, 0, 3.0)
    page.wait_for_timeout(300)
    expected = run(perceptron_objective(teacher_data()), make_optimizer("sgd", float(10**log_lr)),
                   [3, 2], 25, batch_size=4, seed=0, tolerance=0)  # fmt: skip
    assert path_length(page) == 26
    assert number(page, 0) == pytest.approx(expected.params[-1][0], rel=1e-5)
    assert number(page, 1) == pytest.approx(expected.params[-1][1], rel=1e-5)
    page.fill("#batch", "999")
    page.click("#step")
    page.wait_for_function("document.querySelector('#message').innerText.includes('batch size')")
    page.close()
