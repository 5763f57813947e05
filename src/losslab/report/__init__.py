"""The step-by-step HTML walk-through of the perceptron, and its figures as PNG files.

The report is one self-contained HTML file: PNGs are embedded as data URIs,
plotly.js is embedded inline, equations are MathML (rendered by the browser
itself). Opening it makes no network request. It only displays: the numbers come
from :func:`losslab.lessons.report.report_data`.

Modules: :mod:`~losslab.report.markup` (numbers, MathML, the style),
:mod:`~losslab.report.sections` (one function per section),
:mod:`~losslab.report.figures` (the PNG figures), :mod:`~losslab.report.page`
(assembly and writing).
"""

from losslab.lessons.report import ReportData, report_data
from losslab.report.figures import FIGURES, FigureSpec, render_figures
from losslab.report.markup import fmt, math
from losslab.report.page import REPORT_NAME, render_html, write_report

__all__ = [
    "FIGURES",
    "REPORT_NAME",
    "FigureSpec",
    "ReportData",
    "fmt",
    "math",
    "render_figures",
    "render_html",
    "report_data",
    "write_report",
]
