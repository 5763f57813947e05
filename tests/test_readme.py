"""The README's Python example and its Usage commands run as written."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write files
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2  # the walk-through and the curvature
    spaces = []
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, str(README), "exec"), namespace)  # our own documented code
        assigned = {
            target.id
            for node in ast.walk(ast.parse(block))
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        assert assigned and assigned <= namespace.keys()  # every line ran
        spaces.append(namespace)
    assert "wt" in spaces[0]
    curvature = next(ns for ns in spaces if "report" in ns)
    check_curvature_example(curvature, tmp_path / "curvature.npz")


def check_curvature_example(ns, saved):
    """The curvature example's numbers against the Hessian by central differences of the
    gradient (P x P, formed densely: the example's network is small)."""
    import numpy as np

    import losslab as ll

    objective, params = ns["objective"], ns["params"]
    h = 1e-5
    columns = []
    for k in range(params.size):
        e = np.zeros(params.size)
        e[k] = h
        columns.append((objective.gradient(params + e) - objective.gradient(params - e)) / (2 * h))
    hessian = np.column_stack(columns)
    exact = np.linalg.eigvalsh((hessian + hessian.T) / 2)[::-1]
    np.testing.assert_allclose(ns["top"].values, exact[:3], rtol=1e-5, atol=1e-7)
    trace = ns["trace"]
    assert abs(trace.value - np.trace(hessian)) <= 5 * trace.stderr + 1e-6
    np.testing.assert_allclose(ns["density"].moment(1)[0], np.trace(hessian) / params.size,
                               rtol=0.2)  # fmt: skip
    loaded = ll.CurvatureReport.load(saved)
    np.testing.assert_array_equal(loaded.top.values, ns["report"].top.values)
    with pytest.raises(ll.LosslabError, match="already exists"):
        ns["report"].save(saved)


def usage_commands() -> list[str]:
    """The shell commands of the README's Usage section, in order, continuations joined."""
    text = README.read_text(encoding="utf-8")
    usage = text.split("\n## Usage", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", usage, re.S):
        for command in block.replace("\\\n", " ").splitlines():
            if command.strip():
                commands.append(command.strip())
    return commands


#: ``serve`` waits for a browser session until stopped; tests/test_app.py drives it instead.
NEEDS_A_BROWSER_SESSION = re.compile(r"losslab serve\b")


def test_usage_commands_run_in_order_as_written(tmp_path):
    """Every Usage command, as a new user pastes it into the repository folder after the
    set-up command: ``.venv/bin/losslab`` and ``.venv/bin/python`` are this test's Python."""
    root = README.parent
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    # wrappers, not symlinks: a symlinked venv python would lose its venv's packages
    for name, run in (("python", ""), ("losslab", " -m losslab")):
        wrapper = bin_dir / name
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}"{run} "$@"\n', encoding="utf-8")
        wrapper.chmod(0o755)
    (tmp_path / "examples").symlink_to(root / "examples")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "LANG": "C.UTF-8"}
    env["PYTHONPATH"] = os.pathsep.join([str(root / "src"), str(root)])
    commands = usage_commands()
    assert len(commands) >= 20
    ran = 0
    for command in commands:
        if NEEDS_A_BROWSER_SESSION.search(command):
            continue
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, text=True,
                              capture_output=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        ran += 1
    assert ran == len(commands) - 2  # only the two `serve` lines are left out
    assert (tmp_path / "out" / "demo-hubble" / "report.html").is_file()
