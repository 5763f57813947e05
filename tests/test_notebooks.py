"""The notebooks run top to bottom in a real kernel (this interpreter) and show figures."""

import base64
import io
import json
import os
import sys
from pathlib import Path

import jupytext
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from PIL import Image

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernelspec that starts this very interpreter (with its PYTHONPATH and packages)."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "losslab-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "losslab test", "language": "python"})
    )
    return root


def execute(name: str, kernel_dir: Path, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """Convert the percent script with jupytext and run every cell; a raising cell fails."""
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = jupytext.read(NOTEBOOKS / name)
    # Move the sliders as a reader would: the redraw runs, and says the path diverges.
    notebook.cells.append(nbformat.v4.new_code_cell(
        "learning_rate.value = 2 * limit\nstart_w.value = -4.0\n"
        "assert '2/λmax' in verdict.value and ('1.49' not in verdict.value), verdict.value\n"
        "assert any(word in verdict.value for word in ('Diverged', '発散')), verdict.value"
    ))  # fmt: skip
    client = NotebookClient(notebook, kernel_name="losslab-test", timeout=300,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})  # fmt: skip
    client.execute()
    return notebook


def pngs(cell: nbformat.NotebookNode) -> list[bytes]:
    return [
        base64.b64decode(out["data"]["image/png"])
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]


@pytest.mark.parametrize("name", ["walkthrough_en.py", "walkthrough_ja.py"])
def test_notebook_runs_and_every_figure_cell_shows_a_figure(name, kernel_dir, monkeypatch):
    notebook = execute(name, kernel_dir, monkeypatch)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors
    figure_cells = [
        cell for cell in code if cell.source.strip().splitlines()[-1].startswith(
            ("static.figure", "optimizer_figures.figure", "network_figures.figure"))
    ]  # fmt: skip
    assert len(figure_cells) >= 12
    keep = os.environ.get("LOSSLAB_KEEP_FIGURES")  # a folder to save them to, to look at
    for k, image in enumerate(image for cell in code for image in pngs(cell)):
        if keep:
            Path(keep, f"{Path(name).stem}-{k:02d}.png").write_bytes(image)
    for cell in figure_cells:
        images = pngs(cell)
        assert len(images) == 1, cell.source
        picture = Image.open(io.BytesIO(images[0]))
        assert picture.width > 300 and picture.height > 200
        assert np.unique(np.asarray(picture.convert("L"))).size > 20  # not an empty canvas
    widget = [cell for cell in code if "FloatLogSlider" in cell.source]
    assert len(widget) == 1
    kinds = {key for out in widget[0].outputs for key in out.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" in kinds
