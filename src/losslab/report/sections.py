"""Sections 1 to 4 of the report (the bowl: setting, loss, landscape, formula), one function
each; each returns its HTML parts.

They only display: every number comes from the walk-through and the lessons in
:class:`~losslab.lessons.report.ReportData`.
"""

from __future__ import annotations

import html

from losslab.i18n import Lang, tr
from losslab.landscape.result import Landscape
from losslab.plots import interactive
from losslab.provenance import card, card_label, card_rows
from losslab.report.markup import Page, fmt, math, term, vec

#: Plotly measures its width when its script runs, before the contour image beside it
#: is parsed; once the layout settles, fit every figure to its box again.
RESIZE_ON_LOAD = (
    "<script>window.addEventListener('load', () => document.querySelectorAll"
    "('.js-plotly-plot').forEach(p => window.Plotly && Plotly.Plots.resize(p)));</script>"
)


def section_setting(page: Page) -> list[str]:
    """1. The setting: the model, the teacher, the data."""
    wt = page.data.wt
    t = page.t
    img = page.img
    q = wt.quadratic
    x0 = float(wt.data.x.min())
    x1 = float(wt.data.x.max())
    teacher = page.teacher
    noise = page.noise
    parts: list[str] = []
    add = parts.append
    noise_text = t("report.s1.noise", noise=fmt(noise), seed=wt.data.meta.get("seed", 0))
    add(f'<h2 id="s1">{t("report.s1")}</h2>')
    add(f"<p>{t('report.s1.model')}</p>{math('y = w x + b')}<p>{t('report.s1.model2')}</p>")
    meta = wt.data.meta
    common = {"n": wt.data.n, "x0": fmt(x0), "x1": fmt(x1), "w0": fmt(wt.init[0]),
              "b0": fmt(wt.init[1])}  # fmt: skip
    if "teacher" in meta:
        noise_text = noise_text if noise > 0 else ""
        add(page.p("report.s1.teacher", teacher=teacher, noise=noise_text, **common))
    else:  # the learner's own data: name the columns and the file
        inputs = ", ".join(map(str, meta.get("inputs", ["x"])))
        source = str(meta.get("source", "")).removeprefix("csv:")
        x, target, file = (html.escape(v) for v in (inputs, str(meta.get("target", "t")), source))
        add(page.p("report.s1.data_csv", x=x, t=target, file=file, **common))
    if not wt.teacher_is_line:
        add(f'<p class="note">{t("report.s1.not_line", loss=fmt(q.min_loss))}</p>')
    elif noise > 0:
        add(f'<p class="note">{t("report.s1.noisy")}</p>')
    add(img("01-setting.png"))
    return parts


def section_loss(page: Page) -> list[str]:
    """2. The loss: the mean squared error as a function of (w, b)."""
    wt = page.data.wt
    t = page.t
    traj = wt.trajectory
    teacher = page.teacher
    parts: list[str] = []
    add = parts.append
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
        page.p("report.s2.start", w0=fmt(wt.init[0]), b0=fmt(wt.init[1]), loss0=fmt(traj.losses[0]))
    )
    return parts


def section_landscape(page: Page) -> list[str]:
    """3. The landscape: the grid, its lowest point, the 3D and contour views."""
    wt = page.data.wt
    t = page.t
    img = page.img
    q = wt.quadratic
    land = wt.landscape
    lang = page.lang
    parts: list[str] = []
    add = parts.append
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
    add(RESIZE_ON_LOAD)
    add(card_table(land, lang))
    return parts


def card_table(land: Landscape, lang: Lang) -> str:
    """The provenance card of a landscape (:func:`losslab.provenance.card`), as a small
    table; the command line is left out (it is that of the report, not of the scan)."""
    rows = card_rows({"provenance": card(land.meta, land.directions)})
    cells = "".join(
        f"<tr><th>{html.escape(card_label(key, lang))}</th><td>{html.escape(text)}</td></tr>"
        for key, text in rows
        if key != "command"
    )
    title = html.escape(tr("card.title", lang))
    return f'<table class="card"><caption>{title}</caption>{cells}</table>'


def section_formula(page: Page) -> list[str]:
    """4a. The formula: the five sums, the expanded loss, the check on the grid."""
    wt = page.data.wt
    t = page.t
    q = wt.quadratic
    parts: list[str] = []
    add = parts.append
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
        page.p(
            "report.s4.check",
            points=wt.formula_points_checked,
            diff=fmt(wt.formula_max_difference, 2),
        )
    )
    return parts


def section_curvature(page: Page) -> list[str]:
    """4b. The shape, the Hessian and its eigenvectors, the minimum, 2/lambda_max."""
    wt = page.data.wt
    t = page.t
    q = wt.quadratic
    x0 = float(wt.data.x.min())
    parts: list[str] = []
    add = parts.append
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
        page.p(
            "report.s4.eigen",
            lmin=fmt(q.eigenvalues[0]),
            lmax=fmt(q.eigenvalues[1]),
            vmin=vec(q.eigenvectors[:, 0]),
            vmax=vec(q.eigenvectors[:, 1]),
        )
    )
    add(
        math(
            r"\begin{matrix} S_{xx} & S_x \\ S_x & n \end{matrix}"
            r"\begin{matrix} w \\ b \end{matrix} ="
            r" \begin{matrix} S_{xy} \\ S_y \end{matrix}"
        )
    )
    add(page.p("report.s4.minimum", w=fmt(q.minimum[0]), b=fmt(q.minimum[1]), loss=fmt(q.min_loss)))
    add(page.p("report.s4.lr", limit=fmt(q.stability_limit, 4), kappa=fmt(q.condition_number, 4)))
    return parts
