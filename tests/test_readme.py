"""The README's Python example and its Usage commands run as written."""

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the example writes files
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, str(README), "exec"), namespace)  # our own documented code
        assert "wt" in namespace


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
