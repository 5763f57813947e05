"""The teacher-expression parser and the data specs, against numpy and the whitelist."""

import math

import numpy as np
import pytest

from losslab.core.data import (
    parse_expression,
    parse_grid_axis,
    parse_point,
    parse_samples,
    teacher_data,
)
from losslab.errors import LosslabError

X = np.linspace(-2.0, 3.0, 11)


@pytest.mark.parametrize(
    ("text", "oracle"),
    [
        ("2*x + 1", lambda x: 2 * x + 1),
        ("-x**2 + 3", lambda x: -(x**2) + 3),
        ("sin(x) + cos(2*x)", lambda x: np.sin(x) + np.cos(2 * x)),
        ("exp(-x) / (1 + x**2)", lambda x: np.exp(-x) / (1 + x**2)),
        ("pi*x - e", lambda x: math.pi * x - math.e),
        ("abs(x)**0.5", lambda x: np.abs(x) ** 0.5),
        ("3", lambda x: np.full_like(x, 3.0)),
        ("tanh(x)*sqrt(4)", lambda x: np.tanh(x) * 2),
    ],
)
def test_expression_matches_numpy(text, oracle):
    np.testing.assert_allclose(parse_expression(text)(X), oracle(X), rtol=1e-14)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("__import__('os')", "__import__"),
        ("os.system('ls')", "os.system"),
        ("x.__class__", "Attribute"),
        ("(lambda: 1)()", "lambda"),
        ("[1, 2]", "List"),
        ("'a'", "'a'"),
        ("x if x else 1", "IfExp"),
        ("y + 1", "'y'"),
        ("open('f')", "open"),
        ("sin(x, 1)", "one argument"),
        ("True", "True"),
        ("x == 1", "Compare"),
    ],
)
def test_unsafe_or_unknown_input_is_refused_with_its_name(text, word):
    with pytest.raises(LosslabError) as info:
        parse_expression(text)
    message = str(info.value)
    assert word in message
    assert message.count("\n") == 0
    assert info.value.localized("ja") != message


@pytest.mark.parametrize("text", ["2*x +", "(", "x)", "2**", "", "   ", "x" * 300])
def test_malformed_input_gets_one_sentence(text):
    with pytest.raises(LosslabError) as info:
        parse_expression(text)
    assert str(info.value).endswith(".")


def test_huge_powers_stay_floats_and_do_not_hang():
    value = parse_expression("9**9**9**9 + x")(np.array([1.0]))
    assert np.isinf(value).all()


def test_specs():
    np.testing.assert_array_equal(parse_samples("-1:3:21"), np.linspace(-1, 3, 21))
    grid = parse_grid_axis("-10:10:0.5")
    assert grid.size == 41 and grid[0] == -10 and grid[-1] == 10 and grid[21] == 0.5
    np.testing.assert_array_equal(parse_point("3,2"), [3.0, 2.0])
    for bad in ("1:2", "a:b:c", "3:1:5", "0:1:2.5", "0:1:0", "nan:1:3"):
        with pytest.raises(LosslabError):
            parse_samples(bad)
    for bad in ("0:1", "1:0:0.1", "0:1:-1", "0:1:0.3", "0:1e9:0.001"):
        with pytest.raises(LosslabError):
            parse_grid_axis(bad)
    for bad in ("3", "3,2,1", "a,b", "inf,1"):
        with pytest.raises(LosslabError):
            parse_point(bad)


def test_teacher_undefined_somewhere_says_where():
    with pytest.raises(LosslabError, match="x = -1"):
        teacher_data("log(x)", "-1:3:5")


def test_noise_is_seeded_and_has_its_standard_deviation():
    a = teacher_data("2*x + 1", "0:1:20000", noise=0.3, seed=7)
    b = teacher_data("2*x + 1", "0:1:20000", noise=0.3, seed=7)
    np.testing.assert_array_equal(a.t, b.t)
    residual = a.t - (2 * a.x + 1)
    assert abs(residual.std() - 0.3) < 0.01
    with pytest.raises(LosslabError):
        teacher_data("x", "0:1:3", noise=-1)
