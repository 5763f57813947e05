"""The web app trusts nothing it receives: hostile JSON posted to every callback.

Requests go through Flask's test client of the Dash app, shaped like the browser's
(read from ``app.callback_map``), then corrupted: wrong types, text, huge lists, NaN and
infinities, missing fields, sessions that are not what the server wrote. Every answer
must come without a 5xx and within a second of CPU time. A Step sends only the path (a Dash Patch),
checked against a whole render of the same session.
"""

import copy
import json
import math
import time
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from losslab.app import MAX_BODY, create_app
from losslab.defaults import SAMPLES, TEACHER
from losslab.i18n import tr
from losslab.lessons.lab import MAX_PATH, new_session, read_settings

torch.set_num_threads(1)

APP = create_app()
CLIENT = APP.server.test_client()
KEYS = sorted(APP.callback_map)
SESSION = new_session(read_settings(TEACHER, SAMPLES, 0.0, 0), [3.0, 2.0])
GOOD: dict[str, Any] = {
    "teacher": TEACHER, "x": SAMPLES, "noise": 0, "seed": 0, "init": "3,2", "optimizer": "gd",
    "lr": -1.0, "runn": 20, "batch": None, "session": SESSION, "lang": "en", "view": None,
    "net-data": "xor", "net-hidden": "4", "net-activation": "tanh", "net-optimizer": "adam",
    "net-lr": 0.1, "net-steps": 5, "net-plane": "pca", "contour-graph": None,
}  # fmt: skip


def key_of(prefix: str) -> str:
    return next(k for k in KEYS if k.startswith(prefix))


def outputs(spec: Any) -> Any:
    if isinstance(spec, list):
        return [outputs(o) for o in spec]
    return {"id": spec.component_id, "property": spec.component_property}


def request(key: str, values: dict[str, Any], changed: int = 0) -> dict[str, Any]:
    """A request for callback ``key`` as the browser sends it, with ``values`` by component id."""
    cb = APP.callback_map[key]

    def fill(items: list[dict[str, str]]) -> list[dict[str, Any]]:
        return [{**i, "value": values.get(i["id"], 1)} for i in items]

    trigger = cb["inputs"][changed % len(cb["inputs"])]
    changed_id = f"{trigger['id']}.{trigger['property']}"
    return {"output": key, "outputs": outputs(cb["output"]), "inputs": fill(cb["inputs"]),
            "state": fill(cb["state"]), "changedPropIds": [changed_id]}  # fmt: skip


def post(body: Any) -> tuple[int, bytes, float]:
    """Status, body and the CPU seconds of this thread (the test client answers in it).

    CPU time, not wall time: other processes on a shared machine do not count.
    """
    start = time.thread_time()
    answer = CLIENT.post("/_dash-update-component", json=body)
    return answer.status_code, answer.data, time.thread_time() - start


def answer_ok(body: Any) -> bytes:
    status, data, seconds = post(body)
    assert status < 500, (status, data[:300])
    assert seconds < 1.0, seconds
    return data


# Anything JSON can carry, NaN and infinities included.
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats()
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip
HUGE = st.sampled_from([
    "9" * 5000, [0.0] * 100_000, [[1e308, -1e308]] * 50_000, {str(i): i for i in range(20_000)},
])  # fmt: skip


def sessions() -> st.SearchStrategy[Any]:
    """Stores that are not what the server wrote: junk, or the real one with a part broken."""
    parts = st.sampled_from(["settings", "path", "losses", "opt", "stop", "message"])

    def broken(part: str, value: Any, drop: bool) -> Any:
        session = copy.deepcopy(SESSION)
        if drop:
            del session[part]
        else:
            session[part] = value
        return session

    inner = st.sampled_from(["teacher", "x", "noise", "seed"])
    return st.one_of(
        JUNK, st.just(""), st.just({}), st.builds(broken, parts, JUNK | HUGE, st.booleans()),
        st.builds(lambda k, v: {**SESSION, "settings": {**SESSION["settings"], k: v}}, inner, JUNK),
        st.builds(lambda n: {**SESSION, "path": [[0.0, 0.0]] * n, "losses": [0.0] * n},
                  st.sampled_from([0, MAX_PATH + 1, 60_000])),
    )  # fmt: skip


def ids(key: str) -> list[str]:
    cb = APP.callback_map[key]
    return sorted({i["id"] for i in cb["inputs"] + cb["state"]})


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """Compute the default landscape once, so that timing sees requests, not the cache."""
    for key in KEYS:
        post(request(key, GOOD))


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_corrupted_inputs_never_5xx(key: str, data: st.DataObject) -> None:
    values = dict(GOOD)
    for ident in data.draw(st.lists(st.sampled_from(ids(key)), min_size=1, max_size=3)):
        values[ident] = data.draw(sessions() if ident == "session" else JUNK | HUGE)
    body = request(key, values, data.draw(st.integers(0, 20)))
    answer_ok(body)


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_broken_request_shapes_never_5xx(key: str, data: st.DataObject) -> None:
    body = request(key, GOOD)
    field = data.draw(st.sampled_from(sorted(body)))
    if data.draw(st.booleans()):
        del body[field]
    else:
        body[field] = data.draw(JUNK)
    answer_ok(body)


def test_a_million_point_session_is_refused_by_size() -> None:
    path = [[0.0, 0.0]] * 1_000_000
    body = request(key_of("..session"), {**GOOD, "session": {**SESSION, "path": path}}, 6)
    status, _, _ = post(body)
    assert len(json.dumps(body)) > MAX_BODY and status == 413


def test_a_foreign_session_gets_one_sentence_in_the_message_area() -> None:
    for lang in ("en", "ja"):
        for stored in ("a string", {}, {**SESSION, "path": "nope"}):
            data = answer_ok(request(key_of("..data-graph"), {**GOOD, "session": stored,
                                                               "lang": lang}))  # fmt: skip
            message = json.loads(data)["response"]["message"]["children"]
            assert message == tr("webapp.session", lang)


def test_a_bad_learning_rate_is_answered_in_the_message_area() -> None:
    for lr in ("0.1", 5.0, math.inf, None):
        data = answer_ok(request(key_of("..session"), {**GOOD, "lr": lr}, 6))  # the Step button
        stored = json.loads(data)["response"]["session"]["data"]
        assert stored["message"]["key"] == "webapp.learning_rate"
        assert stored["path"] == SESSION["path"]  # nothing moved


def apply(figure: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A figure with a Dash Patch's assignments applied (the only operation the app sends)."""
    out = copy.deepcopy(figure)
    for op in patch["operations"]:
        assert op["operation"] == "Assign"
        *where, last = op["location"]
        target = out
        for step in where:
            target = target[step]
        target[last] = op["params"]["value"]
    return out


def test_a_step_sends_only_the_path_and_draws_what_a_whole_render_draws() -> None:
    render = key_of("..data-graph")
    first = json.loads(answer_ok(request(render, GOOD)))["response"]
    stepped = json.loads(answer_ok(request(key_of("..session"), GOOD, 6)))["response"]
    session = stepped["session"]["data"]
    assert len(session["path"]) == 2
    view = first["view"]["data"]
    data = answer_ok(request(render, {**GOOD, "session": session, "view": view}))
    whole = answer_ok(request(render, {**GOOD, "session": session}))
    assert len(data) < 100_000 < len(whole)
    patched, full = json.loads(data)["response"], json.loads(whole)["response"]
    for graph in ("data-graph", "contour-graph", "surface-graph", "loss-graph"):
        assert "__dash_patch_update" in patched[graph]["figure"]
        assert apply(first[graph]["figure"], patched[graph]["figure"]) == full[graph]["figure"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_page_opens_in_the_language_serve_was_given(lang):
    # `losslab serve --lang ja` opened the page in English: the layout ignored it.
    from losslab.app import create_app

    page = create_app(lang).server.test_client().get("/_dash-layout").get_json()
    found = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == "lang":
                found.append(props["value"])
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(page)
    assert found == [lang]
