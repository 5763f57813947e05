"""The import rule of shared/DESIGN.md: no lower layer imports a higher one."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "losslab"
# The packages of src/losslab, lowest first (shared/DESIGN.md): a module may import its own
# package and the ones listed before it.
LAYERS = [
    {"i18n", "errors", "defaults", "io", "provenance"},
    {"core"},
    {"analysis"},
    {"landscape"},
    {"optim"},
    {"adapters", "torch"},
    {"lessons"},
    {"plots"},
    {"report"},
    {"app"},
    {"cli", "__main__"},
]
COMPUTATION = {"i18n", "errors", "defaults", "core", "analysis", "landscape", "optim", "lessons"}
COMPUTATION |= {"provenance"}
DRAWING = ("matplotlib", "plotly", "dash", "torch", "latex2mathml", "tqdm", "dask", "distributed")
# Leaf modules allowed one display package, imported lazily inside a function.
LAZY_LEAVES = {"landscape/progress.py": "tqdm"}


def layer_of(module: str) -> int:
    for k, names in enumerate(LAYERS):
        if module in names:
            return k
    raise AssertionError(f"losslab.{module} has no layer in this test: add it")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


MODULES = sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_module_imports_only_its_own_layer_or_below(path):
    rel = path.relative_to(SRC)
    own = rel.parts[0].removesuffix(".py")
    for name in imports(path):
        if name == "losslab":
            name = "losslab.__init__"
        if name.startswith("losslab."):
            target = name.split(".")[1]
            if target == "__init__":
                continue
            assert layer_of(target) <= layer_of(own), f"{rel} imports {name}"
        if own in COMPUTATION and LAZY_LEAVES.get(rel.as_posix()) != name:
            assert not name.startswith(DRAWING), f"computation module {rel} imports {name}"


def test_every_package_has_a_layer():
    for path in SRC.iterdir():
        if path.is_dir() and (path / "__init__.py").exists():
            layer_of(path.name)


def test_importing_losslab_loads_no_drawing_library():
    code = (
        "import sys, losslab; losslab.walkthrough(); "
        "print([m for m in ('matplotlib', 'plotly', 'tqdm', 'torch', 'dash', 'dask', 'distributed')"
        " if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
