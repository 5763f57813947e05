"""`losslab demo` end to end: files, pictures that are not blank, Japanese, clear errors."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from losslab.cli import main
from losslab.report import FIGURES, REPORT_NAME

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def run_demo(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "out"
    assert main(["demo", "--out", str(out), "--quiet", *args]) == 0
    return out


def assert_not_blank(png: Path) -> None:
    with Image.open(png) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=float)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert pixels.std() > 20, f"{png.name} looks blank"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50, f"{png.name} has few colours"


def test_demo_writes_report_and_figures(tmp_path, capsys):
    out = run_demo(tmp_path)
    printed = capsys.readouterr().out
    assert "report.html" in printed and "minimum (w, b) = (2, 1)" in printed
    html = (out / REPORT_NAME).read_text(encoding="utf-8")
    for k in range(1, 9):
        assert f'id="s{k}"' in html
    assert html.count("<math") > 10
    assert "data:image/png;base64," in html
    assert "Plotly.newPlot" in html
    # The five sums of the default data, as numbers in the report.
    for value in ("51.8", "124.6", "312.2"):
        assert f"<td>{value}</td>" in html
    for spec in FIGURES:
        assert_not_blank(out / spec.filename)


def test_demo_in_japanese_renders_every_glyph(tmp_path):
    # Matplotlib warns "Glyph ... missing from font(s)" for tofu; make that fail.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = run_demo(tmp_path, "--lang", "ja")
    html = (out / REPORT_NAME).read_text(encoding="utf-8")
    assert '<html lang="ja">' in html
    assert "楕円放物面" in html and "勾配降下法" in html
    text = re.sub(r"<[^>]+>", " ", html.split("<script", 1)[0])
    assert len(JAPANESE.findall(text)) > 500


def test_settings_flags_including_negative_values(tmp_path, capsys):
    out = run_demo(
        tmp_path,
        "--teacher",
        "-x + 0.5",
        "--x",
        "-2:2:9",
        "--init",
        "-3,2",
        "--learning-rate",
        "0.05",
        "--steps",
        "20",
        "--grid",
        "-5:5:1",
        "--noise",
        "0.1",
        "--seed",
        "3",
    )
    html = (out / REPORT_NAME).read_text(encoding="utf-8")
    assert "n = 9" in html and "11 × 11" in html and "lr = 0.05" in html


def test_existing_files_are_not_overwritten_unasked(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / REPORT_NAME).write_text("mine")
    assert main(["demo", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--overwrite" in err and "Traceback" not in err
    assert (out / REPORT_NAME).read_text() == "mine"
    assert main(["demo", "--out", str(out), "--quiet", "--overwrite"]) == 0
    assert (out / REPORT_NAME).read_text() != "mine"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--teacher", "__import__('os')"], "not allowed"),
        (["--teacher", "2*x +"], "not a valid formula"),
        (["--teacher", "log(x)"], "x = -1"),
        (["--x", "a:b:c"], "start:stop:count"),
        (["--grid", "-10:10:0"], "step > 0"),
        (["--grid", "-1000:1000:0.01"], "larger step"),
        (["--init", "3"], "two finite numbers"),
        (["--learning-rate", "-1"], "positive number"),
        (["--steps", "10000000"], "fewer steps"),
    ],
)
def test_bad_input_gets_one_sentence_and_exit_2(tmp_path, capsys, args, words):
    out = tmp_path / "out"
    assert main(["demo", "--out", str(out), "--quiet", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and "Traceback" not in err and err.count("\n") == 0
    assert not out.exists()


def test_errors_in_japanese(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--lang", "ja", "--teacher", "open('x')"]) == 2
    assert JAPANESE.search(capsys.readouterr().err)


def test_a_diverging_learning_rate_is_a_result_not_a_crash(tmp_path, capsys):
    out = run_demo(tmp_path, "--learning-rate", "0.5", "--steps", "500")
    html = (out / REPORT_NAME).read_text(encoding="utf-8")
    assert "diverged at step" in html
    assert "diverged" in capsys.readouterr().out


def test_all_x_equal_in_the_report(tmp_path):
    out = run_demo(tmp_path, "--x", "1:1:5")
    assert "parabolic cylinder" in (out / REPORT_NAME).read_text(encoding="utf-8")


def test_curved_teacher_is_explained(tmp_path):
    out = run_demo(tmp_path, "--teacher", "sin(x)")
    assert "least-squares line" in (out / REPORT_NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        # one sample: a parabolic cylinder, batches of at most 1
        (["--x", "0:1:1"], "parabolic cylinder"),
        # 60,000 samples on a 5 x 5 grid: the formula is checked at all 25 points
        (["--x", "0:1:60000", "--grid", "-2:2:1"], "agree at 25 grid points"),
        # diverges at the first step
        (["--learning-rate", "1e10", "--steps", "5"], "(diverged at step 1)"),
    ],
)
def test_edge_settings_still_give_a_report(tmp_path, args, words):
    out = run_demo(tmp_path, *args)
    html = (out / REPORT_NAME).read_text(encoding="utf-8")
    assert words in html
    assert all(f'<h2 id="s{k}">' in html for k in range(1, 10))  # every section
    for name in ("01-setting.png", "05-path-contour.png", "08-xor.png"):
        assert_not_blank(out / name)


@pytest.mark.parametrize(
    ("command", "new", "old", "dest"),
    [
        (["demo"], ["--learning-rate", "0.2"], ["--lr", "0.2"], "learning_rate"),
        (["minibatch"], ["--learning-rate", "0.2"], ["--lr", "0.2"], "learning_rate"),
        (["animate"], ["--learning-rate", "0.2"], ["--lr", "0.2"], "learning_rate"),
        (["landscape"], ["--learning-rate", "0.2"], ["--lr", "0.2"], "learning_rate"),
        (["compare"], ["--learning-rate-of", "adam=0.2"], ["--lr", "adam=0.2"], "learning_rates"),
        (["compare"], ["--learning-rate-of", "adam=0.2"], ["--learning-rate", "adam=0.2"],
         "learning_rates"),
        (["curvature"], ["--learning-rate", "0.2"], ["--lr", "0.2"], "learning_rate"),
        (["sharpness"], ["--learning-rate", "0.2"], ["--lr", "0.2"], "learning_rate"),
        (["landscape"], ["--keep-biases"], ["--keep-biasbn"], "keep_biases"),
        (["torch-scan", "--model", "m.py:f", "--data", "d.py:g"], ["--keep-biases"],
         ["--keep-biasbn"], "keep_biases"),
    ],
)  # fmt: skip
def test_one_flag_name_per_meaning_old_spelling_hidden(command, new, old, dest):
    from losslab.cli import build_parser

    parser = build_parser("en")
    assert getattr(parser.parse_args([*command, *new]), dest) == getattr(
        parser.parse_args([*command, *old]), dest
    )
    assert getattr(parser.parse_args(command), dest) != getattr(
        parser.parse_args([*command, *new]), dest
    )
    sub = parser._subparsers._group_actions[0].choices[command[0]]  # the subcommand's parser
    assert new[0] in sub.format_help() and f"{old[0]} " not in sub.format_help()


@pytest.mark.parametrize(
    "command",
    [["landscape", "--steps", "5", "--points", "5"],
     ["torch-scan", "--model", "m.py:f", "--data", "d.py:g", "--points", "5"]],
)  # fmt: skip
def test_a_scheduler_that_cannot_be_reached_is_one_sentence_and_exit_2(command, tmp_path, capsys):
    import time

    import distributed  # noqa: F401 (imported before the clock: the bound is on the wait for
    import torch  # noqa: F401  the scheduler, not on imports, which a busy machine slows)

    from losslab import torch as _  # noqa: F401
    from losslab.cli import main

    start = time.monotonic()
    code = main([*command, "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path)])
    assert code == 2 and time.monotonic() - start < 10
    err = capsys.readouterr().err.strip()
    assert "tcp://127.0.0.1:9" in err and "dask scheduler" in err and "\n" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_landscape_and_torch_scan_take_workers_and_scheduler_with_help_in_both_languages():
    from losslab.cli import build_parser

    for lang, word in (("en", "Dask"), ("ja", "ワーカー")):
        parser = build_parser(lang)
        for command in (["landscape"], ["torch-scan", "--model", "m.py:f", "--data", "d.py:g"]):
            args = parser.parse_args([*command, "--workers", "2", "--resume", "r.npz"])
            assert (args.workers, args.scheduler, args.resume) == (2, None, "r.npz")
        sub = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        assert word in sub["landscape"].format_help() and word in sub["torch-scan"].format_help()


def test_torch_scan_names_a_module_its_factory_needs(tmp_path, capsys):
    from losslab.cli import main

    factory = tmp_path / "needs.py"
    factory.write_text("def load():\n    import sklearn_not_installed_here.datasets\n")
    code = main(["torch-scan", "--model", f"{factory}:load", "--data", f"{factory}:load",
                 "--out", str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "'sklearn_not_installed_here'" in err and ".[examples]" in err


def test_landscape_on_two_local_workers_writes_the_serial_values(tmp_path):
    from losslab.cli import main
    from losslab.landscape.result import Landscape

    common = ["landscape", "--steps", "20", "--points", "9", "--quiet", "--plane", "random"]
    assert main([*common, "--out", str(tmp_path / "serial")]) == 0
    resume = tmp_path / "resume.npz"
    assert main([*common, "--workers", "2", "--resume", str(resume),
                 "--out", str(tmp_path / "dask")]) == 0  # fmt: skip
    serial = Landscape.load(tmp_path / "serial" / "landscape.npz")
    spread = Landscape.load(tmp_path / "dask" / "landscape.npz")
    np.testing.assert_array_equal(spread.values, serial.values)
    with np.load(resume) as saved:
        np.testing.assert_array_equal(saved["values"], serial.values)


def test_torch_scan_on_two_local_workers_writes_the_serial_values(tmp_path):
    from losslab.cli import main
    from losslab.landscape.result import Landscape
    from tests import distributed_tasks

    path = distributed_tasks.__file__
    common = ["torch-scan", "--model", f"{path}:torch_mlp", "--data", f"{path}:torch_data",
              "--points", "5", "--quiet"]  # fmt: skip
    assert main([*common, "--out", str(tmp_path / "serial")]) == 0
    assert main([*common, "--workers", "2", "--out", str(tmp_path / "dask")]) == 0
    serial = Landscape.load(tmp_path / "serial" / "torch-plane.npz")
    spread = Landscape.load(tmp_path / "dask" / "torch-plane.npz")
    assert np.isfinite(serial.values).all()
    np.testing.assert_array_equal(spread.values, serial.values)


HUBBLE = Path(__file__).parent.parent / "examples" / "hubble1929.csv"


def test_demo_on_a_csv_file_finds_the_least_squares_line(tmp_path, capsys):
    out = run_demo(tmp_path, "--csv", str(HUBBLE), "--inputs", "distance_mpc",
                   "--target", "velocity_km_s")  # fmt: skip
    printed = capsys.readouterr().out
    rows = np.genfromtxt(HUBBLE, delimiter=",", names=True, dtype=None, encoding="utf-8")
    w, b = np.polyfit(rows["distance_mpc"], rows["velocity_km_s"], 1)  # the oracle
    found = re.search(r"minimum \(w, b\) = \(([^,]+), ([^)]+)\)", printed)
    assert found is not None
    got = [float(v.replace("−", "-")) for v in found.groups()]
    assert got == pytest.approx([w, b], rel=1e-5)
    html = (out / REPORT_NAME).read_text(encoding="utf-8")
    section1 = html.split('id="s1"', 1)[1].split('id="s2"', 1)[0]
    assert "The teacher is" not in section1
    assert all(word in section1 for word in ("distance_mpc", "velocity_km_s", "hubble1929.csv"))
    assert f"n = {len(rows)} rows" in section1
    for spec in FIGURES:
        assert_not_blank(out / spec.filename)


def test_demo_csv_errors_name_file_line_and_column(tmp_path, capsys):
    bad = tmp_path / "mine.csv"
    bad.write_text("height,weight\n1.5,50\n1.6,sixty\n1.7,70\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["demo", "--csv", str(bad), "--inputs", "height", "--target", "weight"]
    assert main([*args, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert all(part in err for part in ("mine.csv", "line 3", "'weight'", "sixty"))
    assert not out.exists()


def gaps_csv(tmp_path: Path) -> Path:
    gaps = tmp_path / "gaps.csv"
    gaps.write_text("x,t\n0,1\n1,\n2,5\n3,7\n4,nan\n5,11\n", encoding="utf-8")
    return gaps


def test_demo_drop_nan_says_how_many_rows_it_dropped(tmp_path, capsys):
    gaps = gaps_csv(tmp_path)
    assert main(["demo", "--csv", str(gaps), "--inputs", "x", "--target", "t",
                 "--out", str(tmp_path / "out"), "--quiet"]) == 2  # fmt: skip
    assert "2 row(s) with missing values (lines 3, 6)" in capsys.readouterr().err
    run_demo(tmp_path, "--csv", str(gaps), "--inputs", "x", "--target", "t", "--drop-nan")
    printed = capsys.readouterr().out
    assert f"Dropped 2 row(s) of {gaps} with missing values (lines 3, 6); 4 row(s) used." in printed
    assert "minimum (w, b) = (2, 1)" in printed  # the 4 rows kept lie on t = 2x + 1


def test_landscape_drop_nan_says_how_many_rows_it_dropped(tmp_path, capsys):
    gaps = gaps_csv(tmp_path)
    args = [
        "landscape",
        "--csv",
        str(gaps),
        "--inputs",
        "x",
        "--target",
        "t",
        "--model",
        "linear",
        "--steps",
        "5",
        "--points",
        "5",
        "--out",
        str(tmp_path / "o"),
        "--quiet",
    ]
    assert main([*args, "--drop-nan", "--lang", "ja"]) == 0
    printed = capsys.readouterr().out
    assert f"{gaps} の欠損値のある 2 行 (3, 6 行目) を除きました。使うのは 4 行です。" in printed


def test_printed_method_is_in_the_learners_words(tmp_path, capsys):
    import torch

    torch.set_num_threads(1)
    module = tmp_path / "tiny.py"
    module.write_text(
        "import torch\n"
        "def build():\n    torch.manual_seed(0)\n    return torch.nn.Linear(2, 3)\n"
        "def load():\n    g = torch.Generator().manual_seed(0)\n"
        "    return torch.randn(30, 2, generator=g), torch.randint(0, 3, (30,), generator=g)\n",
        encoding="utf-8",
    )
    args = ["torch-scan", "--model", f"{module}:build", "--data", f"{module}:load",
            "--points", "5", "--out", str(tmp_path / "scan"), "--quiet"]  # fmt: skip
    assert main(args) == 0
    line = next(s for s in capsys.readouterr().out.splitlines() if "parameters" in s)
    assert "torch auto" not in line and "PyTorch" in line
    args = ["landscape", "--model", "linear", "--data", "moons", "--steps", "5", "--points",
            "5", "--out", str(tmp_path / "land"), "--quiet"]  # fmt: skip
    assert main(args) == 0
    line = next(s for s in capsys.readouterr().out.splitlines() if "parameters" in s)
    assert "grid by the exact quadratic form" in line or "grid by evaluating" in line
    assert "batched evaluation" not in line
