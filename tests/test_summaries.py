"""Short reprs for results, and the quadratic form's points as (w, b) or [w, b]."""

import numpy as np
import pytest

import losslab as ll


def test_reprs_are_short_and_without_float_noise():
    wt = ll.walkthrough()
    assert wt.quadratic.Sxx == pytest.approx(51.8) and wt.quadratic.Sxx != 51.8  # the noise
    for obj in (wt, wt.quadratic, wt.first_step, ll.lr_sweep(), ll.lr_sweep().runs[0],
                ll.compare(None, ["gd", "adam"])):  # fmt: skip
        text = repr(obj)
        assert len(text) < 400 and "array(" not in text and "000000" not in text, text
        html = obj._repr_html_()
        assert html.startswith("<table>") and type(obj).__name__ in html
    assert "Sxx=51.8," in repr(wt.quadratic)
    assert "minimum=[2, 1]" in repr(wt) and "learning_rate=0.1" in repr(wt)


def test_quadratic_form_takes_a_point_as_two_numbers_or_one_vector():
    wt = ll.walkthrough(teacher="sin(x) + 0.3*x")
    q, objective = wt.quadratic, wt.objective
    np.testing.assert_array_equal(q.gradient([3, 2]), q.gradient(3, 2))
    assert float(q([3, 2])) == float(q(3, 2)) == pytest.approx(objective.loss([3, 2]))
    assert float(q.expanded([3, 2])) == pytest.approx(objective.loss([3, 2]))
    h = 1e-6  # the gradient against central differences of the direct mean
    fd = [(objective.loss([3 + h, 2]) - objective.loss([3 - h, 2])) / (2 * h),
          (objective.loss([3, 2 + h]) - objective.loss([3, 2 - h])) / (2 * h)]  # fmt: skip
    np.testing.assert_allclose(q.gradient([3, 2]), fd, rtol=1e-6)
    points = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_allclose(q.gradient(points), [objective.gradient(p) for p in points])
    with pytest.raises(TypeError, match="as one vector"):
        q.gradient([1, 2, 3])
