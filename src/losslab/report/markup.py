"""Markup helpers of the report: numbers for a learner, MathML, embedded figures, the style."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from latex2mathml.converter import convert as latex_to_mathml

from losslab.i18n import Lang, tr
from losslab.lessons.report import ReportData


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


def vec(v: np.ndarray) -> str:
    """A 2-vector as ``(a, b)`` with 4 significant digits.

    >>> vec(np.array([0.5, -2.0]))
    '(0.5, −2)'
    """
    return f"({fmt(v[0], 4)}, {fmt(v[1], 4)})"


def term(coef: float, var: str, first: bool = False) -> str:
    """One signed term of a LaTeX polynomial: ``+ 3w``, ``- b``, ``w^2`` (first, no sign).

    >>> term(1.0, "w^2", first=True), term(-2.5, "b"), term(7.0, "")
    ('  w^2', ' - 2.5b', ' + 7')
    """
    sign = "-" if coef < 0 else ("" if first else "+")
    number = "" if var and fmt(abs(coef)) == "1" else fmt(abs(coef)).replace("−", "-")
    return f" {sign} {number}{var}"


@dataclass(frozen=True)
class Page:
    """What every section reads: the results, the language and the rendered figures."""

    data: ReportData
    lang: Lang
    figures: Mapping[str, bytes]

    def t(self, key: str, **kw: object) -> str:
        """The catalogue text ``key`` in the page's language."""
        return tr(key, self.lang, **kw)

    def p(self, key: str, **kw: object) -> str:
        """The catalogue text ``key`` as one paragraph."""
        return "<p>" + self.t(key, **kw) + "</p>"

    def img(self, name: str) -> str:
        """The figure ``name`` as an embedded ``<figure>`` (a data URI)."""
        png = self.figures[name]
        data = base64.b64encode(png).decode("ascii")
        alt = html.escape(self.t("report.fig_alt", name=name))
        # width/height from the PNG header: the browser reserves the box before decoding
        width, height = (int.from_bytes(png[k : k + 4], "big") for k in (16, 20))
        size = f' width="{width}" height="{height}"' if png[12:16] == b"IHDR" else ""
        return f'<figure><img src="data:image/png;base64,{data}"{size} alt="{alt}"></figure>'

    @property
    def teacher(self) -> str:
        """The teacher's text, escaped for HTML."""
        return html.escape(str(self.data.wt.data.meta.get("teacher", "")))

    @property
    def noise(self) -> float:
        """The standard deviation of the noise on the teacher."""
        return float(self.data.wt.data.meta.get("noise", 0.0))


CSS = """
body { font-family: 'DejaVu Sans', 'Noto Sans CJK JP', 'IPAexGothic', 'IPAGothic',
       'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; line-height: 1.6; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #f28e2b; padding-bottom: .2em;
     margin-top: 2em; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
.row { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.row > * { flex: 0 1 calc(50% - .5em); min-width: 0; max-width: 100%; }
@media (max-width: 760px) { .row > * { flex-basis: 100%; } }
#landscape-3d { overflow: hidden; }
table { border-collapse: collapse; margin: .8em 0; font-variant-numeric: tabular-nums; }
td, th { border: 1px solid #ccc; padding: .2em .6em; text-align: right; }
th { background: #f4f4f4; } .note { background: #fff6e5; border-left: 4px solid #f28e2b;
     padding: .5em 1em; } math[display=block] { margin: .8em 0; font-size: 1.1em; }
math { font-family: 'STIX Two Math', 'Latin Modern Math', 'Cambria Math', math; }
math mtable { border-left: 1.5px solid #333; border-right: 1.5px solid #333;
              border-radius: 7px; padding: 1px 5px; margin: 0 2px; }
ol li { margin: .4em 0; } code { background: #f4f4f4; padding: 0 .2em; }
"""
