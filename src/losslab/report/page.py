"""The report's page: the sections assembled into one self-contained HTML file, and writing it."""

from __future__ import annotations

from pathlib import Path

from losslab import __version__
from losslab.i18n import Lang, tr
from losslab.io import check_writable, write_files
from losslab.lessons.perceptron import Walkthrough
from losslab.lessons.report import ReportData, report_data
from losslab.report.curvature import section_sharpness
from losslab.report.figures import FIGURES, render_figures
from losslab.report.lab import LAB_NAME, asset, render_lab_page
from losslab.report.learning import (
    section_descent,
    section_optimizers,
    section_step_by_hand,
    section_xor,
)
from losslab.report.markup import CSS, Page
from losslab.report.sections import (
    section_curvature,
    section_formula,
    section_landscape,
    section_loss,
    section_setting,
)

REPORT_NAME = "report.html"

#: The sections in the order the report shows them.
SECTIONS = (
    section_setting,
    section_loss,
    section_landscape,
    section_formula,
    section_curvature,
    section_descent,
    section_step_by_hand,
    section_optimizers,
    section_xor,
    section_sharpness,
)


def contents(page: Page) -> list[str]:
    """The title, the lead and the table of contents."""
    t = page.t
    parts = [f"<h1>{t('report.title')}</h1><p>{t('report.lead', version=__version__)}</p>"]
    parts.append(f"<nav><b>{t('report.toc')}</b><ol>")
    for k in range(1, 9):
        parts.append(f'<li><a href="#s{k}">{t(f"report.s{k}")[3:]}</a></li>')
    if page.data.edge is not None:
        parts.append(f'<li><a href="#s9">{t("curvature.report_title")[3:]}</a></li>')
    parts.append("</ol></nav>")
    return parts


def render_html(data: ReportData, lang: Lang, figures: dict[str, bytes]) -> str:
    """The whole report as one HTML string (figures embedded)."""
    page = Page(data, lang, figures)
    parts = contents(page)
    for section in SECTIONS:
        parts += section(page)
    body = "\n".join(parts)
    title = tr("report.title", lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{CSS}{asset('lab.css')}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def write_report(
    wt: Walkthrough,
    out: str | Path,
    lang: Lang = "en",
    overwrite: bool = False,
    progress: bool = False,
) -> list[Path]:
    """Write ``report.html``, ``lab.html`` (the lab of section 5 alone) and the figures as
    PNG files into the folder ``out``.

    Refuses (LosslabError) to replace existing files unless ``overwrite``.
    Returns the paths written: the report first, then lab.html, then the figures.
    """
    check_writable(out, [REPORT_NAME, LAB_NAME] + [spec.filename for spec in FIGURES], overwrite)
    data = report_data(wt)
    figures = render_figures(data, lang, progress=progress)
    files: dict[str, bytes | str] = {REPORT_NAME: render_html(data, lang, figures)}
    files[LAB_NAME] = render_lab_page(wt, lang)
    files.update(figures)
    return write_files(out, files, overwrite=True)  # checked above, before the rendering
