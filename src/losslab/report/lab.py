"""The perceptron lab of report section 5 and of ``lab.html``: the page's part of it.

The lab itself is ``lab.js`` (with ``lab.css``) in this folder: it steps the optimizers in
the browser from the sums of the data, with no server and no request. This module only
hands it what the library computed (the sums, the minimum, ``2 / lambda_max``, the grid,
each optimizer's learning rate and constants, ``losslab.run``'s stopping rules) and the
texts of the page's language, as JSON beside the lab's ``<div>``.

The URL fragment (``#lab?teacher=...&opt=adam&lr=0.2&w=3&b=2&steps=10``) holds the state.
The page embeds the sums of the data it was built with and nothing else, so a fragment
may change the start, the optimizer, the learning rate and the steps; a fragment made for
other data (another teacher, samples, noise, seed or file) gets a sentence that names them
and how to make their page, and the rest of it is shown on this page's data.
"""

from __future__ import annotations

import html
import inspect
import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from losslab.defaults import LEARNING_RATES
from losslab.i18n import CATALOGUES, Lang, optimizer_name, tr
from losslab.lessons.perceptron import Walkthrough
from losslab.lessons.report import REPORT_OPTIMIZERS
from losslab.optim.loop import run
from losslab.optim.rules import EPSILON, make_optimizer
from losslab.plots.interactive import FONTS

LAB_NAME = "lab.html"

#: The optimizers' learning rates of section 7 (gradient descent takes section 5's).
PERCEPTRON_RATES = LEARNING_RATES["perceptron"]

#: The sums lab.js computes with: the article's five (and n), and their centred forms.
SUMS = ("n", "Sx", "Sy", "Sxx", "Sxy", "Syy", "x_mean", "t_mean", "Suu", "Suv", "Svv")

#: The longest run a fragment may replay on load, and the most Run N takes at once.
MAX_STEPS = 5000


@cache
def asset(name: str) -> str:
    """The text of ``lab.js`` or ``lab.css`` (package data next to this module)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def samples_text(x: NDArray[np.float64]) -> str:
    """Evenly spaced inputs as ``start:stop:count`` (the CLI's ``--x``), else ``""``.

    >>> samples_text(np.linspace(-1, 3, 21)), samples_text(np.array([0.0, 1.0, 5.0]))
    ('-1:3:21', '')
    """
    if x.ndim != 1 or x.size < 2:
        return ""
    lo, hi = (float(f"{v:.15g}") for v in (x[0], x[-1]))
    if np.array_equal(np.linspace(lo, hi, x.size), x):
        return f"{lo:.15g}:{hi:.15g}:{x.size}"
    return ""


def data_identity(wt: Walkthrough) -> dict[str, str]:
    """What names the page's data in the fragment: the teacher's settings, or the file."""
    meta = wt.data.meta
    if "teacher" in meta:
        return {
            "teacher": str(meta["teacher"]),
            "samples": samples_text(wt.data.x) or "custom",
            "noise": f"{float(meta.get('noise', 0.0)):g}",
            "seed": str(int(meta.get("seed", 0))),
        }
    return {"source": str(meta.get("source", "data"))}


def lab_config(wt: Walkthrough, lang: Lang) -> dict[str, Any]:
    """Everything lab.js needs, as JSON-ready numbers and texts (floats round-trip exactly)."""
    q = wt.quadratic
    limit = q.stability_limit
    optimizers: list[dict[str, Any]] = []
    rates: list[float] = []
    for key in REPORT_OPTIMIZERS:
        # gradient descent at section 5's rate, the others at section 7's (losslab.defaults)
        opt = make_optimizer(key, wt.learning_rate if key == "gd" else PERCEPTRON_RATES[key])
        rates.append(opt.hyperparameters["learning_rate"])
        hyper = {k: v for k, v in opt.hyperparameters.items() if k != "learning_rate"}
        name = optimizer_name(opt.name, lang) + (tr("lab.full_batch", lang) if key == "gd" else "")
        optimizers.append({"key": key, "name": name,
                           "rate": rates[-1], "hyper": {**hyper, "epsilon": EPSILON}})  # fmt: skip
    defaults = inspect.signature(run).parameters
    a, c = wt.landscape.axes
    identity = data_identity(wt)
    reach = max(1e6, 100 * float(np.max(np.abs([a[0], a[-1], c[0], c[-1]]))))
    return {
        "sums": {key: getattr(q, key) for key in SUMS},
        "minimum": [float(v) for v in q.minimum],
        "min_loss": q.min_loss,
        "stability_limit": limit,
        "start": [float(v) for v in wt.init],
        "grid": {"w": [float(a[0]), float(a[-1])], "b": [float(c[0]), float(c[-1])]},
        "optimizers": optimizers,
        "limits": {
            "tolerance": defaults["tolerance"].default,
            "divergence_bound": defaults["divergence_bound"].default,
        },
        "rate_range": [min(1e-4, limit / 100, min(rates) / 10), max(10.0, limit * 10)],
        "max_start": reach,
        "max_steps": MAX_STEPS,
        "data": identity,
        "data_text": ", ".join(f"{k}={v}" for k, v in identity.items()),
        "font": FONTS,
        "texts": lab_texts(lang),
    }


def lab_texts(lang: Lang) -> dict[str, str]:
    """The catalogue's ``lab.*`` texts in ``lang``, without the prefix."""
    return {
        key.removeprefix("lab."): tr(key, lang)
        for key in CATALOGUES["en"]
        if key.startswith("lab.")
    }


def script_json(value: Any) -> str:
    """JSON safe inside ``<script>``: no ``<`` (so no ``</script>``), no NaN.

    >>> script_json({"a": "</script>"})
    '{"a": "\\\\u003c/script>"}'
    """
    return json.dumps(value, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")


def lab_markup(wt: Walkthrough, lang: Lang) -> str:
    """The lab: its data, its (empty) box, its script. lab.css must be in the page's style."""
    config = script_json(lab_config(wt, lang))
    noscript = html.escape(tr("lab.no_script", lang))
    return (
        f'<div class="lab-box"><script type="application/json" class="lab-data">{config}'
        f'</script><div class="losslab-lab" id="lab"><noscript>{noscript}</noscript></div>'
        f"</div><script>{asset('lab.js')}</script>"
    )


def render_lab_page(wt: Walkthrough, lang: Lang) -> str:
    """``lab.html``: the lab alone, with plotly.js embedded (no request, no server)."""
    from plotly.offline import get_plotlyjs

    from losslab.report.markup import CSS

    title = tr("lab.page_title", lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{CSS}{asset('lab.css')}</style>"
        f"<script>{get_plotlyjs()}</script></head>\n<body>\n<h1>{title}</h1>"
        f"<p>{tr('lab.intro', lang)}</p>\n{lab_markup(wt, lang)}\n"
        f"<p>{tr('lab.page_more', lang)}</p>\n</body></html>\n"
    )
