"""``losslab curvature`` and ``losslab sharpness`` end to end: files, numbers, bad input."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from losslab.analysis.quadratic import quadratic_form
from losslab.cli import main
from losslab.core.datasets import toy_data

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_curvature_of_a_linear_model_gives_its_exact_eigenvalues(tmp_path, capsys):
    code = main(["curvature", "--model", "linear", "--data", "sine", "--n", "20", "--steps", "0",
                 "--top-k", "2", "--out", str(tmp_path)])  # fmt: skip
    assert code == 0
    data = toy_data("sine", 20)
    oracle = quadratic_form(data).eigenvalues[::-1]  # the perceptron y = w x + b on (x, t)
    rows = list(csv.DictReader((tmp_path / "curvature.csv").read_text().splitlines()))
    values = [float(r["value"]) for r in rows if r["quantity"].startswith("lambda_")][:2]
    np.testing.assert_allclose(values, oracle, rtol=1e-9)
    with np.load(tmp_path / "curvature.npz") as f:
        meta = json.loads(str(f["meta"]))
        assert meta["n_params"] == 2 and f["density"].shape == f["grid"].shape
    assert (tmp_path / "curvature-density.png").read_bytes()[:4] == b"\x89PNG"
    assert "2 parameters" in capsys.readouterr().out


def test_curvature_of_a_torch_model(tmp_path, capsys):
    model = tmp_path / "tiny.py"
    model.write_text(
        "import torch\nfrom torch import nn\n"
        "def build():\n    torch.manual_seed(0)\n"
        "    return nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))\n"
        "def load():\n    g = torch.Generator().manual_seed(1)\n"
        "    return torch.randn(30, 2, generator=g), torch.randint(0, 2, (30,), generator=g)\n"
    )
    out = tmp_path / "out"
    code = main(["curvature", "--model", f"{model}:build", "--data", f"{model}:load",
                 "--samples", "20", "--lanczos-steps", "10", "--runs", "3",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert "22 parameters" in text and "0.weight" in text


def test_sharpness_writes_the_figure_and_the_table(tmp_path, capsys):
    code = main(["sharpness", "--steps", "100", "--every", "50", "--out", str(tmp_path),
                 "--lang", "ja"])  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader((tmp_path / "sharpness.csv").read_text().splitlines()))
    assert len(rows) == 101 and rows[50]["lambda_max"] and not rows[49]["lambda_max"]
    assert "2/lr = 20" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["curvature", "--model", "cnn"], "model 'cnn' is not known"),
        (["curvature", "--top-k", "0", "--steps", "0"], "number of eigenvalues 0"),
        (["curvature", "--model", "nofile.py:build", "--data", "x.py:load"], "Could not load"),
        (["sharpness", "--every", "0", "--steps", "10"], "every 0 steps"),
        (["sharpness", "--learning-rate", "-1"], "learning rate -1"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(tmp_path, capsys, argv, words):
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_existing_files_are_not_overwritten(tmp_path, capsys):
    (tmp_path / "sharpness.png").write_bytes(b"mine")
    assert main(["sharpness", "--steps", "10", "--every", "5", "--out", str(tmp_path)]) == 2
    assert (tmp_path / "sharpness.png").read_bytes() == b"mine"
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_report_section_9_shows_the_lessons_numbers(lang):
    from losslab.core.data import teacher_data
    from losslab.lessons.sharpness import edge_of_stability
    from losslab.report.curvature import curvature_section

    lesson = edge_of_stability(steps=300, every=50)
    page = curvature_section(lesson, lang)
    assert page.startswith('<h2 id="s9">9. ')
    q = quadratic_form(teacher_data())  # the closed form: 2/λmax of the five sums' Hessian
    assert f"{q.stability_limit:.4g}" in page and f"{q.eigenvalues[1]:.4g}" in page
    assert "<td>0.90</td>" in page and "<td>1.10</td>" in page  # just below, just above
    assert f"{lesson.network.lambda_max[0]:.3g}" in page
    assert page.count("<tr>") == 3 and "data:image/png;base64," in page
    assert ("発散" in page) == (lang == "ja")


def test_curvature_and_sharpness_take_a_csv_file_like_landscape(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 3, 25)
    t = 2 * x + 1 + 0.1 * rng.normal(size=25)
    lines = ["x,t"] + [f"{float(a)!r},{float(b)!r}" for a, b in zip(x, t, strict=True)] + ["0.5,"]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    csv_flags = ["--csv", str(tmp_path / "d.csv"), "--inputs", "x", "--target", "t", "--drop-nan"]
    code = main(["curvature", "--model", "linear", *csv_flags, "--steps", "0", "--top-k", "2",
                 "--out", str(tmp_path / "c")])  # fmt: skip
    assert code == 0
    # y = w x + b with the MSE: H = (2/n) [[sum x^2, sum x], [sum x, n]] on the kept rows
    oracle = np.linalg.eigvalsh(2 / 25 * np.array([[x @ x, x.sum()], [x.sum(), 25]]))[::-1]
    rows = list(csv.DictReader((tmp_path / "c" / "curvature.csv").read_text().splitlines()))
    np.testing.assert_allclose([float(r["value"]) for r in rows[:2]], oracle, rtol=1e-9)
    assert "1 row" in capsys.readouterr().out  # --drop-nan says what it dropped
    code = main(["sharpness", "--model", "linear", *csv_flags, "--learning-rate", "0.1",
                 "--steps", "20", "--every", "10", "--out", str(tmp_path / "s")])  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader((tmp_path / "s" / "sharpness.csv").read_text().splitlines()))
    assert float(rows[10]["lambda_max"]) == pytest.approx(oracle[0], rel=1e-6)  # a constant
    # Above 2/λmax it diverges: the output says so against the closed-form limit.
    capsys.readouterr()
    code = main(["sharpness", "--model", "linear", *csv_flags, "--learning-rate", "2",
                 "--steps", "50", "--every", "10", "--out", str(tmp_path / "d")])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    limit = 2 / oracle[0]
    assert f"the learning rate 2 is {2 / limit:.2f} times the stability limit" in out
    assert f"2/λmax = {limit:.4g}" in out and "Diverged at step" in out


def test_a_csv_file_with_a_torch_model_is_one_sentence(tmp_path, capsys):
    args = ["curvature", "--model", "m.py:build", "--data", "m.py:load", "--csv", "d.csv",
            "--out", str(tmp_path)]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--csv" in err and err.count("\n") == 1
