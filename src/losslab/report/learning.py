"""Sections 5 to 8 of the report (learning: gradient descent, one step by hand, optimizers,
XOR), one function each; each returns its HTML parts and only displays.
"""

from __future__ import annotations

from losslab.report.markup import Page, fmt, math


def section_descent(page: Page) -> list[str]:
    """5. Gradient descent: the gradient, the update, the run and its figures."""
    wt = page.data.wt
    t = page.t
    img = page.img
    q = wt.quadratic
    traj = wt.trajectory
    parts: list[str] = []
    add = parts.append
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
        page.p(
            "report.s5.rate",
            lr=fmt(wt.learning_rate),
            ratio=f"{wt.learning_rate_ratio:.0%}",
            limit=fmt(q.stability_limit, 4),
        )
    )
    stop = str(traj.meta["stop"])
    last = traj.params[-1]
    add(
        page.p(
            "report.s5.result",
            steps=traj.steps,
            stop=t(f"report.stop.{stop}"),
            w=fmt(last[0]),
            b=fmt(last[1]),
            loss=fmt(traj.losses[-1]),
            minloss=fmt(q.min_loss),
        )
    )
    if stop == "diverged":
        add(f'<p class="note">{t("report.s5.diverged", k=traj.meta["diverged_at"])}</p>')
    add(f"<p>{t('report.s5.figs')}</p>")
    add(f'<div class="row">{img("05-path-contour.png")}{img("05-path-3d.png")}</div>')
    add(f'<div class="row">{img("05-loss-curve.png")}{img("05-fit-steps.png")}</div>')
    return parts


def section_step_by_hand(page: Page) -> list[str]:
    """6. One step by hand: the four steps of learning with real numbers."""
    wt = page.data.wt
    t = page.t
    step = wt.first_step
    parts: list[str] = []
    add = parts.append
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
    return parts


def section_optimizers(page: Page) -> list[str]:
    """7. Optimizers and the learning rate."""
    wt = page.data.wt
    t = page.t
    img = page.img
    q = wt.quadratic
    parts: list[str] = []
    add = parts.append
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
    return parts


def section_xor(page: Page) -> list[str]:
    """8. Beyond the perceptron: XOR."""
    t = page.t
    img = page.img
    parts: list[str] = []
    add = parts.append
    xor = page.data.xor
    add(f'<h2 id="s8">{t("report.s8")}</h2><p>{t("report.s8.intro")}</p>')
    add(f"<p>{t('report.s8.twin', loss=fmt(xor.minimum_loss, 3))}</p>")
    add(img("08-xor.png"))
    add(
        page.p(
            "report.s8.found",
            minima=len(xor.critical.minima),
            saddles=len(xor.critical.saddles),
            saddle="-" if xor.saddle is None else fmt(xor.saddle[2], 3),
        )
    )
    add(f"<p>{t('report.s8.why')}</p><p>{t('report.s8.more')}</p>")
    return parts
