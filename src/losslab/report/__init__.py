"""The step-by-step HTML walk-through of the perceptron, and its figures as PNG files.

The report is one self-contained HTML file: PNGs are embedded as data URIs,
plotly.js is embedded inline, equations are MathML (rendered by the browser
itself). Opening it makes no network request.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from latex2mathml.converter import convert as latex_to_mathml
from matplotlib.figure import Figure
from tqdm import tqdm

from losslab import __version__
from losslab.core.data import DEFAULT_TEACHER, teacher_data
from losslab.errors import LosslabError
from losslab.i18n import Lang, tr
from losslab.lessons.optimizers import (
    Comparison,
    MinibatchNoise,
    Sweep,
    compare,
    lr_sweep,
    minibatch_noise,
)
from losslab.lessons.perceptron import Walkthrough
from losslab.lessons.sharpness import EdgeOfStability, edge_of_stability
from losslab.lessons.xor import XorLandscape, xor_landscape
from losslab.plots import interactive, static
from losslab.plots import networks as network_figures
from losslab.plots import optimizers as experiment_figures
from losslab.report.curvature import curvature_section

REPORT_NAME = "report.html"


def fmt(value: float, digits: int = 6) -> str:
    """A number for a learner: ``digits`` significant digits, no ``-0``, a real minus sign.

    >>> fmt(2.0000000001), fmt(-0.5), fmt(1234567.0), fmt(-1e-17)
    ('2', '−0.5', '1.23457e+06', '0')
    """
    v = float(value)
    if abs(v) < 1e-12 * 10 ** (digits - 6) and v != 0:
        v = 0.0
    text = f"{v:.{digits}g}"
    return "0" if text in ("-0", "0") else text.replace("-", "−")


def math(latex: str, block: bool = True) -> str:
    """LaTeX -> MathML, rendered natively by the browser."""
    return str(latex_to_mathml(latex, display="block" if block else "inline"))


def _vec(v: np.ndarray) -> str:
    return f"({fmt(v[0], 4)}, {fmt(v[1], 4)})"


@dataclass(frozen=True)
class FigureSpec:
    """A figure of the report: its file name and how to draw it from the walk-through."""

    filename: str
    draw: Callable[[ReportData, Lang], Figure]


FIGURES: Sequence[FigureSpec] = (
    FigureSpec("01-setting.png", lambda d, lang: static.figure_setting(d.wt, lang)),
    FigureSpec(
        "03-landscape-3d.png",
        lambda d, lang: static.figure_landscape_3d(d.wt.landscape, d.wt.quadratic, lang),
    ),
    FigureSpec(
        "03-contour.png",
        lambda d, lang: static.figure_contour(d.wt.landscape, d.wt.quadratic, None, lang),
    ),
    FigureSpec(
        "05-path-contour.png",
        lambda d, lang: static.figure_contour(
            d.wt.zoom, d.wt.quadratic, d.wt.trajectory, lang, "fig.path_title"
        ),
    ),
    FigureSpec(
        "05-path-3d.png",
        lambda d, lang: static.figure_path_3d(d.wt.zoom, d.wt.trajectory, d.wt.quadratic, lang),
    ),
    FigureSpec(
        "05-loss-curve.png",
        lambda d, lang: static.figure_loss_curve(d.wt.trajectory, d.wt.quadratic.min_loss, lang),
    ),
    FigureSpec("05-fit-steps.png", lambda d, lang: static.figure_fit_steps(d.wt, lang)),
    FigureSpec(
        "07-compare-paths.png",
        lambda d, lang: experiment_figures.figure_compare_overlay(d.comparison, lang),
    ),
    FigureSpec(
        "07-compare-losses.png",
        lambda d, lang: experiment_figures.figure_compare_losses(d.comparison, lang),
    ),
    FigureSpec(
        "07-lr-sweep.png", lambda d, lang: experiment_figures.figure_lr_sweep(d.sweep, lang)
    ),
    FigureSpec(
        "07-minibatch.png",
        lambda d, lang: experiment_figures.figure_minibatch(d.minibatch, lang),
    ),
    FigureSpec("08-xor.png", lambda d, lang: network_figures.figure_xor(d.xor, lang)),
)


@dataclass(frozen=True)
class ReportData:
    """The walk-through and the optimizer experiments on its data: all the report draws."""

    wt: Walkthrough
    comparison: Comparison
    sweep: Sweep
    minibatch: MinibatchNoise
    xor: XorLandscape
    edge: EdgeOfStability | None = None


def report_data(wt: Walkthrough) -> ReportData:
    """Run the experiments of section 7 on the walk-through's data and start."""
    names = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
    noise = float(wt.data.meta.get("noise", 0.0)) or 0.5  # SGD's jitter needs noisy data
    noisy = teacher_data(
        str(wt.data.meta.get("teacher", DEFAULT_TEACHER)),
        wt.data.x,
        noise=noise,
        seed=int(wt.data.meta.get("seed", 0)),
    )
    return ReportData(
        wt=wt,
        comparison=compare(None, names, init=wt.init, data=wt.data),
        sweep=lr_sweep(init=wt.init, data=wt.data),
        minibatch=minibatch_noise(
            [*sorted({1, min(4, wt.data.n)}), None], init=wt.init, data=noisy
        ),
        xor=xor_landscape(),
        edge=edge_of_stability(),
    )


def png_bytes(figure: Figure) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buf = io.BytesIO()
    figure.savefig(buf, format="png")
    return buf.getvalue()


def render_figures(data: ReportData, lang: Lang, progress: bool = False) -> dict[str, bytes]:
    """Every figure of the report as PNG bytes, keyed by file name."""
    out: dict[str, bytes] = {}
    for spec in tqdm(FIGURES, desc=tr("cli.rendering", lang), disable=not progress, unit="fig"):
        out[spec.filename] = png_bytes(spec.draw(data, lang))
    return out


CSS = """
body { font-family: 'DejaVu Sans', 'Noto Sans CJK JP', 'IPAexGothic', 'IPAGothic',
       'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; line-height: 1.6; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #f28e2b; padding-bottom: .2em;
     margin-top: 2em; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
.row { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.row > * { flex: 1 1 420px; min-width: 0; }
table { border-collapse: collapse; margin: .8em 0; font-variant-numeric: tabular-nums; }
td, th { border: 1px solid #ccc; padding: .2em .6em; text-align: right; }
th { background: #f4f4f4; } .note { background: #fff6e5; border-left: 4px solid #f28e2b;
     padding: .5em 1em; } math[display=block] { margin: .8em 0; font-size: 1.1em; }
math { font-family: 'STIX Two Math', 'Latin Modern Math', 'Cambria Math', math; }
math mtable { border-left: 1.5px solid #333; border-right: 1.5px solid #333;
              border-radius: 7px; padding: 1px 5px; margin: 0 2px; }
ol li { margin: .4em 0; } code { background: #f4f4f4; padding: 0 .2em; }
"""


def render_html(data: ReportData, lang: Lang, figures: dict[str, bytes]) -> str:
    """The whole report as one HTML string (figures embedded)."""
    wt = data.wt
    q, traj, step = wt.quadratic, wt.trajectory, wt.first_step
    land = wt.landscape
    x0, x1 = float(wt.data.x.min()), float(wt.data.x.max())
    teacher = html.escape(str(wt.data.meta.get("teacher", "")))
    noise = float(wt.data.meta.get("noise", 0.0))

    def t(key: str, **kw: object) -> str:
        return tr(key, lang, **kw)

    def img(name: str) -> str:
        data = base64.b64encode(figures[name]).decode("ascii")
        alt = html.escape(t("report.fig_alt", name=name))
        return f'<figure><img src="data:image/png;base64,{data}" alt="{alt}"></figure>'

    parts: list[str] = []
    add = parts.append
    add(f"<h1>{t('report.title')}</h1><p>{t('report.lead', version=__version__)}</p>")
    add(f"<nav><b>{t('report.toc')}</b><ol>")
    for k in range(1, 9):
        add(f'<li><a href="#s{k}">{t(f"report.s{k}")[3:]}</a></li>')
    add("</ol></nav>")

    # 1. The setting
    noise_text = t("report.s1.noise", noise=fmt(noise), seed=wt.data.meta.get("seed", 0))
    add(f'<h2 id="s1">{t("report.s1")}</h2>')
    add(f"<p>{t('report.s1.model')}</p>{math('y = w x + b')}<p>{t('report.s1.model2')}</p>")
    add(
        "<p>"
        + t(
            "report.s1.teacher",
            teacher=teacher,
            n=wt.data.n,
            x0=fmt(x0),
            x1=fmt(x1),
            noise=noise_text if noise > 0 else "",
            w0=fmt(wt.init[0]),
            b0=fmt(wt.init[1]),
        )
        + "</p>"
    )
    if not wt.teacher_is_line:
        add(f'<p class="note">{t("report.s1.not_line", loss=fmt(q.min_loss))}</p>')
    elif noise > 0:
        add(f'<p class="note">{t("report.s1.noisy")}</p>')
    add(img("01-setting.png"))

    # 2. The loss
    add(f'<h2 id="s2">{t("report.s2")}</h2><p>{t("report.s2.mse")}</p>')
    add(math(r"\mathrm{loss} = \frac{1}{n}\sum\limits_{i=1}^{n} (t_i - y_i)^2"))
    add(f"<p>{t('report.s2.sub')}</p>")
    add(
        math(
            r"\mathrm{loss}(w, b) = \frac{1}{n}\sum\limits_{i=1}^{n}"
            r" \left(t_i - (w x_i + b)\right)^2"
        )
    )
    add(f'<p class="note">{t("report.s2.slip", teacher=teacher)}</p>')
    add(
        "<p>"
        + t("report.s2.start", w0=fmt(wt.init[0]), b0=fmt(wt.init[1]), loss0=fmt(traj.losses[0]))
        + "</p>"
    )

    # 3. The landscape
    a, c = land.axes
    gw, gb, gl = land.argmin()
    add(f'<h2 id="s3">{t("report.s3")}</h2>')
    add(
        "<p>"
        + t(
            "report.s3.grid",
            wlo=fmt(a[0]),
            whi=fmt(a[-1]),
            blo=fmt(c[0]),
            bhi=fmt(c[-1]),
            wstep=fmt(a[1] - a[0] if a.size > 1 else 0.0),
            nw=a.size,
            nb=c.size,
            wmin=fmt(q.minimum[0], 4),
            bmin=fmt(q.minimum[1], 4),
        )
        + " "
        + t("report.s3.argmin", gw=fmt(gw), gb=fmt(gb), gl=fmt(gl))
        + "</p>"
    )
    add(img("03-landscape-3d.png"))
    add(f"<p>{t('report.s3.interactive')}</p>")
    plot3d = interactive.landscape_3d(land, q, None, lang, points=land.values.size <= 40_000)
    plot_html = plot3d.to_html(
        full_html=False, include_plotlyjs=True, config={"displaylogo": False, "responsive": True}
    )
    add(f'<div class="row"><div id="landscape-3d">{plot_html}</div>{img("03-contour.png")}</div>')

    # 4. The formula
    add(f'<h2 id="s4">{t("report.s4")}</h2><p>{t("report.s4.expand")}</p>')
    add(
        math(
            r"\mathrm{loss}(w,b) = \frac{1}{n}\left(w^2 S_{xx} + n b^2 + S_{yy} - 2w S_{xy}"
            r" - 2b S_y + 2wb S_x\right)"
        )
    )
    add(
        math(
            r"S_{xx} = \sum x_i^2,\; S_x = \sum x_i,\; S_{xy} = \sum x_i t_i,\;"
            r" S_y = \sum t_i,\; S_{yy} = \sum t_i^2"
        )
    )
    add(
        f"<p>{t('report.s4.sums')}</p><table><tr><th>{t('report.s4.sum')}</th>"
        f"<th>{t('report.s4.value')}</th></tr>"
    )
    for name, value in (
        ("n", q.n),
        ("S_{xx}", q.Sxx),
        ("S_x", q.Sx),
        ("S_{xy}", q.Sxy),
        ("S_y", q.Sy),
        ("S_{yy}", q.Syy),
    ):
        add(f"<tr><td>{math(name, block=False)}</td><td>{fmt(value)}</td></tr>")
    add("</table>")
    co = q.coefficients

    def term(coef: float, var: str, first: bool = False) -> str:
        sign = "-" if coef < 0 else ("" if first else "+")
        number = "" if var and fmt(abs(coef)) == "1" else fmt(abs(coef)).replace("−", "-")
        return f" {sign} {number}{var}"

    numbers = (
        r"\mathrm{loss}(w,b) ="
        + term(co["w2"], "w^2", first=True)
        + term(co["b2"], "b^2")
        + term(co["wb"], "wb")
        + term(co["w"], "w")
        + term(co["b"], "b")
        + term(co["const"], "")
    )
    add(f"<p>{t('report.s4.numbers')}</p>{math(numbers)}")
    add(
        "<p>"
        + t(
            "report.s4.check",
            points=wt.formula_points_checked,
            diff=fmt(wt.formula_max_difference, 2),
        )
        + "</p>"
    )
    if q.shape == "elliptic paraboloid":
        add(f"<p>{t('report.s4.paraboloid')}</p>")
    else:
        add(f"<p>{t('report.s4.cylinder', x0=fmt(x0), tm=fmt(q.Sy / q.n))}</p>")
    h = q.hessian
    add(
        math(
            r"H = \frac{2}{n}\begin{matrix} S_{xx} & S_x \\ S_x & n \end{matrix}"
            rf" = \begin{{matrix}} {fmt(h[0, 0]).replace('−', '-')} & "
            rf"{fmt(h[0, 1]).replace('−', '-')} \\ {fmt(h[1, 0]).replace('−', '-')} & "
            rf"{fmt(h[1, 1]).replace('−', '-')} \end{{matrix}}"
        )
    )
    add(
        "<p>"
        + t(
            "report.s4.eigen",
            lmin=fmt(q.eigenvalues[0]),
            lmax=fmt(q.eigenvalues[1]),
            vmin=_vec(q.eigenvectors[:, 0]),
            vmax=_vec(q.eigenvectors[:, 1]),
        )
        + "</p>"
    )
    add(
        math(
            r"\begin{matrix} S_{xx} & S_x \\ S_x & n \end{matrix}"
            r"\begin{matrix} w \\ b \end{matrix} ="
            r" \begin{matrix} S_{xy} \\ S_y \end{matrix}"
        )
    )
    add(
        "<p>"
        + t("report.s4.minimum", w=fmt(q.minimum[0]), b=fmt(q.minimum[1]), loss=fmt(q.min_loss))
        + "</p>"
    )
    add(
        "<p>"
        + t("report.s4.lr", limit=fmt(q.stability_limit, 4), kappa=fmt(q.condition_number, 4))
        + "</p>"
    )

    # 5. Gradient descent
    add(f'<h2 id="s5">{t("report.s5")}</h2><p>{t("report.s5.grad")}</p>')
    add(
        math(
            r"\frac{\partial L}{\partial w} ="
            r" \frac{2}{n}\sum\limits_{i=1}^{n}(w x_i + b - t_i)\,x_i"
            r" = \frac{2}{n}(w S_{xx} + b S_x - S_{xy}),\quad"
            r" \frac{\partial L}{\partial b} = \frac{2}{n}\sum\limits_{i=1}^{n}(w x_i + b - t_i)"
            r" = \frac{2}{n}(w S_x + n b - S_y)"
        )
    )
    add(f"<p>{t('report.s5.update')}</p>")
    add(
        math(
            r"w \leftarrow w - \mathrm{lr}\,\frac{\partial L}{\partial w},\quad"
            r" b \leftarrow b - \mathrm{lr}\,\frac{\partial L}{\partial b}"
        )
    )
    add(
        "<p>"
        + t(
            "report.s5.rate",
            lr=fmt(wt.learning_rate),
            ratio=f"{wt.learning_rate_ratio:.0%}",
            limit=fmt(q.stability_limit, 4),
        )
        + "</p>"
    )
    stop = str(traj.meta["stop"])
    last = traj.params[-1]
    add(
        "<p>"
        + t(
            "report.s5.result",
            steps=traj.steps,
            stop=t(f"report.stop.{stop}"),
            w=fmt(last[0]),
            b=fmt(last[1]),
            loss=fmt(traj.losses[-1]),
            minloss=fmt(q.min_loss),
        )
        + "</p>"
    )
    if stop == "diverged":
        add(f'<p class="note">{t("report.s5.diverged", k=traj.meta["diverged_at"])}</p>')
    add(f"<p>{t('report.s5.figs')}</p>")
    add(f'<div class="row">{img("05-path-contour.png")}{img("05-path-3d.png")}</div>')
    add(f'<div class="row">{img("05-loss-curve.png")}{img("05-fit-steps.png")}</div>')

    # 6. One step by hand
    w0, b0 = fmt(step.params[0]), fmt(step.params[1])
    add(f'<h2 id="s6">{t("report.s6")}</h2><p>{t("report.s6.intro", w0=w0, b0=b0)}</p><ol>')
    add(f"<li>{t('report.s6.step1')}</li>")
    add(f"<li>{t('report.s6.step2', w0=w0, b0=b0)}</li>")
    add(f"<li>{t('report.s6.step3', loss=fmt(step.loss))}</li>")
    add(
        "<li>"
        + t(
            "report.s6.step4",
            gw=fmt(step.gradient[0]),
            gb=fmt(step.gradient[1]),
            lr=fmt(step.learning_rate),
            w0=w0,
            b0=b0,
            w1=fmt(step.new_params[0]),
            b1=fmt(step.new_params[1]),
            loss=fmt(step.loss),
            loss1=fmt(step.new_loss),
        )
        + "</li></ol>"
    )
    add(
        "<table><tr><th>i</th><th>x<sub>i</sub></th><th>t<sub>i</sub></th>"
        "<th>y<sub>i</sub></th><th>y<sub>i</sub> − t<sub>i</sub></th>"
        "<th>(y<sub>i</sub> − t<sub>i</sub>)<sup>2</sup></th></tr>"
    )
    rows = list(range(step.x.size))
    shown = rows if len(rows) <= 30 else rows[:15] + rows[-5:]
    for k, i in enumerate(shown):
        if k > 0 and i != shown[k - 1] + 1:
            add(f'<tr><td colspan="6">{t("report.s6.more", k=i - shown[k - 1] - 1)}</td></tr>')
        e = step.error[i]
        add(
            f"<tr><td>{i + 1}</td><td>{fmt(step.x[i])}</td><td>{fmt(step.t[i])}</td>"
            f"<td>{fmt(step.prediction[i])}</td><td>{fmt(e)}</td><td>{fmt(e * e)}</td></tr>"
        )
    add(
        f"<tr><th>{t('report.sum_row')}</th><td></td><td></td><td></td>"
        f"<td>{fmt(step.error.sum())}</td><td>{fmt(float(step.error @ step.error))}</td>"
        "</tr></table>"
    )

    # 7. Optimizers and the learning rate
    add(f'<h2 id="s7">{t("report.s7")}</h2><p>{t("report.s7.intro")}</p>')
    add(f'<div class="row">{img("07-compare-paths.png")}{img("07-compare-losses.png")}</div>')
    add(
        f"<ul><li>{t('report.s7.momentum')}</li><li>{t('report.s7.adaptive')}</li>"
        f"<li>{t('report.s7.adam')}</li></ul>"
    )
    add(f"<p>{t('report.s7.sweep', limit=fmt(q.stability_limit, 4))}</p>")
    add(img("07-lr-sweep.png"))
    add(f"<p>{t('report.s7.minibatch')}</p>")
    add(img("07-minibatch.png"))
    add(f"<p>{t('report.s7.more')}</p>")

    # 8. Beyond the perceptron: XOR
    xor = data.xor
    add(f'<h2 id="s8">{t("report.s8")}</h2><p>{t("report.s8.intro")}</p>')
    add(f"<p>{t('report.s8.twin', loss=fmt(xor.objective.loss(xor.minimum), 3))}</p>")
    add(img("08-xor.png"))
    saddle = xor.critical.saddles[np.argmin(xor.critical.saddles[:, 2])]
    add(
        "<p>"
        + t(
            "report.s8.found",
            minima=len(xor.critical.minima),
            saddles=len(xor.critical.saddles),
            saddle=fmt(saddle[2], 3),
        )
        + "</p>"
    )
    add(f"<p>{t('report.s8.why')}</p><p>{t('report.s8.more')}</p>")
    if data.edge is not None:
        add(curvature_section(data.edge, lang))  # 9. 2/λmax for a real network

    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{t('report.title')}</title><style>{CSS}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def check_writable(folder: str | Path, names: Iterable[str], overwrite: bool = False) -> None:
    """Raise LosslabError if ``folder`` is a file, or holds one of ``names`` (unless overwrite)."""
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise LosslabError("error.out_not_dir", path=str(out))
    if not overwrite:
        for name in names:
            if (out / name).exists():
                raise LosslabError("error.out_exists", path=str(out / name))


def write_files(
    folder: str | Path, files: Mapping[str, bytes | str], overwrite: bool = False
) -> list[Path]:
    """Write ``files`` (name -> bytes or text) into ``folder``; return the paths in order.

    Refuses (LosslabError), before writing anything, to replace an existing
    file unless ``overwrite``.
    """
    out = Path(folder)
    check_writable(out, files, overwrite)
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            path = out / name
            if isinstance(data, str):
                path.write_text(data, encoding="utf-8")
            else:
                path.write_bytes(data)
            written.append(path)
    except OSError as exc:
        raise LosslabError("error.os", path=str(out), reason=exc.strerror or str(exc)) from None
    return written


def write_report(
    wt: Walkthrough,
    out: str | Path,
    lang: Lang = "en",
    overwrite: bool = False,
    progress: bool = False,
) -> list[Path]:
    """Write ``report.html`` and the figures as PNG files into the folder ``out``.

    Refuses (LosslabError) to replace existing files unless ``overwrite``.
    Returns the paths written, the report first.
    """
    check_writable(out, [REPORT_NAME] + [spec.filename for spec in FIGURES], overwrite)
    data = report_data(wt)
    figures = render_figures(data, lang, progress=progress)
    files: dict[str, bytes | str] = {REPORT_NAME: render_html(data, lang, figures)}
    files.update(figures)
    return write_files(out, files, overwrite=True)  # checked above, before the rendering
