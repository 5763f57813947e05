"""Section 9 of the report, "2/λmax for a real network": HTML from an edge-of-stability lesson."""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING

from losslab.i18n import Lang, tr
from losslab.io import png_bytes
from losslab.lessons.sharpness import EdgeOfStability
from losslab.plots.curvature import figure_sharpness

if TYPE_CHECKING:
    from losslab.report.markup import Page


def _png(lesson: EdgeOfStability, lang: Lang) -> bytes:
    return png_bytes(figure_sharpness(lesson.network, lang))


def section_sharpness(page: Page) -> list[str]:
    """9. 2/λmax for a real network (the edge-of-stability lesson), when the data carry it."""
    edge = page.data.edge
    return [] if edge is None else [curvature_section(edge, page.lang)]


def curvature_section(lesson: EdgeOfStability, lang: Lang = "en") -> str:
    """The section's HTML (heading, text, a table, the embedded figure) for ``lesson``."""

    def t(key: str, **kw: object) -> str:
        return tr(f"curvature.report_{key}", lang, **kw)

    lam, limit = lesson.perceptron_lambda_max, lesson.perceptron_stability_limit
    parts = [
        f'<h2 id="s9">{t("title")}</h2>',
        f"<p>{t('intro', lmax=f'{lam:.4g}', limit=f'{limit:.4g}')}</p>",
    ]
    parts.append(f"<table><tr><th>lr</th><th>lr / (2/λmax)</th><th>{t('col_loss')}</th>"
                 f"<th>{t('col_result')}</th></tr>")  # fmt: skip
    for run, fraction in zip(lesson.perceptron_runs, lesson.perceptron_fractions, strict=True):
        result = t("converged" if run.stopped == "step limit" else "diverged")
        parts.append(
            f"<tr><td>{run.learning_rate:.4g}</td><td>{fraction:.2f}</td>"
            f"<td>{run.losses[-1]:.4g}</td><td>{result}</td></tr>"
        )
    parts.append("</table>")
    net = lesson.network
    mean, low, high = net.edge_ratio()
    reached = net.first_reach(1.0)
    parts.append("<p>" + t(
        "network", lr=f"{net.learning_rate:g}", problem=html.escape(net.problem),
        params=net.final_params.size, start=f"{net.lambda_max[0]:.3g}",
        limit=f"{net.stability_limit:.3g}", reached="-" if reached is None else reached,
        mean=f"{mean:.3f}", low=f"{low:.2f}", high=f"{high:.2f}",
    ) + "</p>")  # fmt: skip
    data = base64.b64encode(_png(lesson, lang)).decode("ascii")
    alt = html.escape(t("alt"))
    parts.append(f'<figure><img src="data:image/png;base64,{data}" alt="{alt}"></figure>')
    parts.append(f"<p>{t('lesson')}</p><p>{t('more')}</p>")
    return "\n".join(parts)
