"""Hostile input: every user-facing parser gives a result or one LosslabError, never another
exception; the CLI answers extreme values with exit status 0 or 2 and no traceback."""

from __future__ import annotations

import contextlib
import io
import math
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from losslab.cli import main
from losslab.core.data import (
    MAX_MAGNITUDE,
    MAX_SAMPLES,
    Dataset,
    check_noise,
    check_seed,
    parse_expression,
    parse_grid_axis,
    parse_point,
    parse_samples,
    teacher_data,
)
from losslab.core.datasets import load_csv, toy_data
from losslab.core.mlp import parse_hidden
from losslab.core.objective import SUMS_FROM_SAMPLES, perceptron_objective
from losslab.errors import LosslabError
from losslab.optim.loop import run
from losslab.optim.rules import check_learning_rate, gradient_descent, make_optimizer, sgd

#: The floats that break numerics: zeros, subnormals, the extremes, infinities, NaN.
EXTREMES = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    1e-320,
    2.2e-308,
    1e-300,
    1e15,
    1e16,
    1e155,
    1e300,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    math.inf,
    -math.inf,
    math.nan,
]
any_float = st.one_of(st.sampled_from(EXTREMES), st.floats(allow_nan=True, allow_infinity=True))
#: Text with control characters, full-width digits, separators and number-like pieces.
any_text = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "1",
                    "-1",
                    "0",
                    "1e308",
                    "1e-320",
                    "nan",
                    "inf",
                    "１",
                    "\x1b",
                    "\x00",
                    ":",
                    ",",
                    ".",
                    "e",
                    "x",
                    "**",
                    "(",
                    ")",
                    " ",
                    "\n",
                    "_",
                    "0x1",
                ]
            ),
            any_float.map(repr),
        ),
        max_size=8,
    ).map("".join),
)
FAST = settings(max_examples=150, deadline=None)


def result_or_error(parse: Callable[..., Any], *args: Any) -> Any:
    """The result of ``parse(*args)``, or None for a LosslabError with a clean message."""
    try:
        return parse(*args)
    except LosslabError as exc:
        for lang in ("en", "ja"):
            message = exc.localized(lang)
            assert message and "\n" not in message and "\x1b" not in message
            assert all(ch.isprintable() for ch in message), message
        return None


def triple(a: float, b: float, c: float) -> str:
    return f"{a!r}:{b!r}:{c!r}"


@FAST
@given(st.one_of(any_text, st.tuples(any_float, any_float, any_float).map(lambda v: triple(*v))))
def test_grid_axis_is_a_small_even_grid_or_an_error(spec: str) -> None:
    axis = result_or_error(parse_grid_axis, spec)
    if axis is not None:
        start, stop, step = (float(p) for p in spec.split(":"))
        assert 2 <= axis.size <= 5001 and np.all(np.isfinite(axis))
        assert axis[0] == start and axis[-1] == stop
        assert np.allclose(np.diff(axis), step, rtol=1e-6)  # oracle: the step asked for


@FAST
@given(st.one_of(any_text, st.tuples(any_float, any_float, any_float).map(lambda v: triple(*v))))
def test_samples_are_evenly_spaced_or_an_error(spec: str) -> None:
    xs = result_or_error(parse_samples, spec)
    if xs is not None:
        start, stop, count = (float(p) for p in spec.split(":"))
        assert xs.size == count <= MAX_SAMPLES and np.all(np.isfinite(xs))
        assert xs[0] == start and xs[-1] == stop


@FAST
@given(st.one_of(any_text, st.tuples(any_float, any_float).map(lambda v: f"{v[0]!r},{v[1]!r}")))
def test_point_is_two_bounded_numbers_or_an_error(spec: str) -> None:
    point = result_or_error(parse_point, spec)
    if point is not None:
        assert point.shape == (2,) and np.all(np.abs(point) <= MAX_MAGNITUDE)


@FAST
@given(any_text)
def test_expression_parses_and_evaluates_or_errors(text: str) -> None:
    expr = result_or_error(parse_expression, text)
    if expr is not None:
        assert expr(np.linspace(-1, 1, 5)).shape == (5,)


@FAST
@given(st.one_of(any_float, st.integers(-(2**70), 2**70), st.text(max_size=5), st.none()))
def test_seed_and_noise_checks(value: Any) -> None:
    seed = result_or_error(check_seed, value)
    if seed is not None:
        assert isinstance(seed, int) and seed >= 0
        np.random.default_rng(seed)  # numpy takes every seed let through
    noise = result_or_error(check_noise, value)
    if noise is not None:
        assert 0.0 <= noise <= MAX_MAGNITUDE


@FAST
@given(
    teacher=st.sampled_from(["2*x + 1", "exp(x)", "1e100*x", "1e308*x", "log(x)", "x**x**x"]),
    a=any_float,
    b=any_float,
    noise=any_float,
    seed=st.integers(-5, 2**65),
)
def test_teacher_data_is_finite_or_an_error(
    teacher: str, a: float, b: float, noise: float, seed: int
) -> None:
    data = result_or_error(teacher_data, teacher, f"{a!r}:{b!r}:5", noise, seed)
    if data is not None:
        assert isinstance(data, Dataset) and data.n == 5
        assert np.all(np.isfinite(data.t)) and np.isfinite(np.sum(data.t**2))


@FAST
@given(n=st.one_of(st.integers(-3, 300), any_float), noise=any_float, seed=st.integers(-3, 2**65))
def test_toy_data_is_finite_or_an_error(n: Any, noise: float, seed: int) -> None:
    data = result_or_error(toy_data, "moons", n, noise, seed)
    if data is not None:
        assert data.n == n and np.all(np.isfinite(data.x))


@FAST
@given(any_text)
def test_hidden_sizes_optimizer_names(text: str) -> None:
    sizes = result_or_error(parse_hidden, text)
    if sizes is not None:
        assert all(1 <= s <= 4096 for s in sizes)
    result_or_error(make_optimizer, text)


@FAST
@given(any_float)
def test_learning_rate_check(value: float) -> None:
    result_or_error(check_learning_rate, value)  # a refusal is one clean sentence
    try:
        check_learning_rate(value)
        accepted = True
    except LosslabError:
        accepted = False
    assert accepted == (math.isfinite(value) and value > 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(any_text, min_size=0, max_size=3), max_size=5))
def test_csv_of_any_text(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        lines = ["x,t", *(",".join(cell.replace("\r", "") for cell in row) for row in rows)]
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
        data = result_or_error(load_csv, path, ["x"], "t", True)
        if data is not None:
            assert np.all(np.isfinite(data.x)) and np.all(np.isfinite(data.t))


def test_control_characters_are_escaped_in_messages() -> None:
    with pytest.raises(LosslabError) as info:
        parse_expression("x\x1b[31m+\x07")
    assert "\x1b" not in str(info.value) and "\\x1b" in str(info.value)


def test_an_absurd_grid_is_refused_before_any_allocation() -> None:
    # 1e300 points per axis: refused by arithmetic on the spec alone (no array could hold it).
    with pytest.raises(LosslabError) as info:
        parse_grid_axis("0:1:1e-300")
    assert info.value.key == "error.grid_large"
    with pytest.raises(LosslabError) as info:
        parse_grid_axis("0:1e-300:1e-303")
    assert info.value.key == "error.grid_narrow"


#: Values for demo's numeric flags; each run gets a small grid and few steps to stay fast.
DEMO_FLAGS = {
    "--init": st.tuples(any_float, any_float).map(lambda v: f"{v[0]!r},{v[1]!r}"),
    "--grid": st.tuples(any_float, any_float, any_float).map(lambda v: triple(*v)),
    "--x": st.tuples(any_float, any_float, st.sampled_from([1.0, 3.0, 2e6, math.nan])).map(
        lambda v: triple(*v)
    ),
    "--noise": any_float.map(repr),
    "--seed": st.one_of(st.integers(-(2**70), 2**70), any_float).map(str),
    "--learning-rate": any_float.map(repr),
    "--steps": st.one_of(st.integers(-5, 10**9), any_float).map(str),
    "--teacher": any_text,
}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flag_value=st.sampled_from(sorted(DEMO_FLAGS)).flatmap(
    lambda flag: st.tuples(st.just(flag), DEMO_FLAGS[flag])))  # fmt: skip
def test_demo_answers_any_flag_value_with_status_0_or_2(flag_value: tuple[str, str]) -> None:
    flag, value = flag_value
    base = {"--grid": "-4:4:0.5", "--steps": "5"}
    base.pop(flag, None)
    err = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        argv = ["demo", f"{flag}={value}", "--out", folder, "--overwrite", "--quiet"]
        argv += [part for kv in base.items() for part in kv]
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                status = main(argv)
            except SystemExit as exc:  # argparse: a value of the wrong type
                status = exc.code
    assert status in (0, 2), err.getvalue()
    assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize(
    "args",
    [
        ["--grid", "0:1e-300:1e-303"],
        ["--grid", "-1e308:1e308:1"],
        ["--grid", "0:1:1e-320"],
        ["--init", "1e155,1e155"],
        ["--noise", "1e200"],
        ["--seed", "-1"],
    ],
)
def test_cli_process_refuses_extremes_in_one_sentence(args: list[str], tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "losslab", "demo", *args, "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("losslab: ") and proc.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["landscape", "--span=1e308", "--steps", "5", "--points", "5"],
        ["landscape", "--span=nan", "--steps", "5", "--points", "5"],
        ["landscape", "--noise=-0.0", "--seed=-1", "--steps", "5", "--points", "5"],
        ["compare", "--lr", "gd=1e308", "--steps", "3", "--x=0:1e300:3"],
        ["compare", "--learning-rate-of", "gd=1e308", "--steps", "3", "--x=0:1e300:3"],
        # curvature and sharpness take the network flags of landscape, with its checks
        ["curvature", "--noise=-0.0", "--seed=-1", "--steps", "0"],
        ["curvature", "--steps=-1"],
        ["sharpness", "--csv", "missing.csv", "--inputs", "x", "--target", "t", "--steps", "5"],
        ["sharpness", "--n=10000000", "--steps", "5"],
    ],
)
def test_other_commands_refuse_extremes(argv: list[str], tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main([*argv, "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 2 and err.getvalue().startswith("losslab: ")
    assert err.getvalue().count("\n") == 1


def test_large_data_loss_and_gradient_match_the_direct_mean() -> None:
    # Oracle: the mean over all samples, written out here, and central finite differences.
    data = teacher_data("sin(3*x) + x", "-2:5:30001", noise=0.3, seed=1)
    objective = perceptron_objective(data)
    assert data.n >= SUMS_FROM_SAMPLES
    for w, b in [(3.0, 2.0), (0.0, 0.0), (-1e6, 1e6), (1.2, 0.1)]:
        residual = w * data.x + b - data.t
        direct = float(np.mean(residual**2))
        assert objective.loss([w, b]) == pytest.approx(direct, rel=1e-12, abs=1e-12)
        exact = [2 * np.mean(residual * data.x), 2 * np.mean(residual)]
        assert objective.gradient([w, b]) == pytest.approx(exact, rel=1e-9, abs=1e-9)
        h = 1e-4 * max(1.0, abs(w))
        fd_w = (objective.loss([w + h, b]) - objective.loss([w - h, b])) / (2 * h)
        assert objective.gradient([w, b])[0] == pytest.approx(fd_w, rel=1e-6, abs=1e-6)


def test_a_full_batch_is_plain_gradient_descent() -> None:
    # Oracle: SGD over a batch of all samples is gradient descent, update for update.
    objective = perceptron_objective(teacher_data("2*x + 1", "-1:3:21", noise=0.2))
    full = run(objective, sgd(0.05), [3.0, 2.0], steps=30, batch_size=21, tolerance=0.0)
    plain = run(objective, gradient_descent(0.05), [3.0, 2.0], steps=30, tolerance=0.0)
    np.testing.assert_allclose(full.params, plain.params, rtol=1e-13, atol=1e-13)


def test_figures_draw_a_spread_subset_that_keeps_the_ends() -> None:
    data = teacher_data("2*x + 1", "0:1:1000000")
    x, t = data.drawn()
    assert 3000 <= x.size <= 4000 and x[0] == 0.0 and x[-1] == 1.0
    np.testing.assert_array_equal(t, 2 * x + 1)  # each drawn point is a real sample
