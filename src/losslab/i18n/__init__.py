"""Every text a user sees, in English and Japanese: one catalogue per language.

The catalogues are TOML files, ``i18n/<lang>/<topic>.toml``; the key ``error.grid_memory``
is the entry ``grid_memory`` of ``error.toml``. Both languages hold the same keys with
the same ``{placeholders}`` (``tests/test_i18n.py`` checks it). To add a language, copy
``en/`` to a new folder, translate the values and add its code to :data:`LANGS`.

``tr(key, lang, **params)`` formats the text for ``key`` in ``lang``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")


def load_catalogue(lang: str) -> dict[str, str]:
    """All texts of one language, by full key (``topic.key``), read from its TOML files."""
    out: dict[str, str] = {}
    for entry in sorted(resources.files(__name__).joinpath(lang).iterdir(), key=str):
        if entry.name.endswith(".toml"):
            topic = entry.name.removesuffix(".toml")
            for key, text in tomllib.loads(entry.read_text(encoding="utf-8")).items():
                out[f"{topic}.{key}"] = text
    return out


CATALOGUES: dict[str, dict[str, str]] = {lang: load_catalogue(lang) for lang in LANGS}

#: The texts by key, then language (the view the tests and older code use).
TEXTS: dict[str, dict[Lang, str]] = {
    key: {lang: CATALOGUES[lang][key] for lang in LANGS if key in CATALOGUES[lang]}
    for key in CATALOGUES["en"]
}


def tr(key: str, lang: Lang = "en", **params: Any) -> str:
    """The text for ``key`` in ``lang``, formatted with ``params``.

    >>> tr("error.learning_rate", "en", value=-1)
    'The learning rate -1 is not valid: give a positive number, e.g. 0.1.'
    """
    text = CATALOGUES.get(lang, {}).get(key) or CATALOGUES["en"][key]
    return text.format(**params) if params else text


def optimizer_name(name: str, lang: Lang = "en") -> str:
    """An optimizer's display name in ``lang`` (the book keeps SGD, Adam, ... in English).

    >>> optimizer_name("gradient descent", "ja"), optimizer_name("Adam", "ja")
    ('勾配降下法', 'Adam')
    """
    key = f"opt.{name}"
    return tr(key, lang) if key in TEXTS else name


def method_label(method: str, lang: Lang = "en") -> str:
    """How a landscape's loss was computed (its ``meta["method"]``), in the learner's words.

    >>> method_label("batched evaluation"), method_label("torch auto", "ja")
    ('evaluating the loss at every grid point', 'PyTorch でグリッドの各点を計算')
    """
    key = f"msg.method.{method}"
    return tr(key, lang) if key in TEXTS else method


#: How each loss is named on an axis.
LOSS_NAMES = {"mse": "MSE", "mae": "MAE", "huber": "Huber", "bce": "BCE", "softmax-ce": "CE"}


def loss_label(meta: Mapping[str, Any], lang: Lang = "en") -> str:
    """The axis label of a landscape's loss, e.g. ``loss (MSE)``; ``f`` for a test function.

    >>> loss_label({"loss": "bce"}, "ja")
    '損失 (BCE)'
    """
    name = meta.get("loss")
    return tr("fig.loss", lang, name=LOSS_NAMES.get(str(name), str(name)) if name else "f")


def line_text(w: float, b: float) -> str:
    """``y = 3x + 2`` with 3 significant digits and a real minus sign.

    >>> line_text(2.31, -1.6)
    'y = 2.31x − 1.6'
    """
    slope = f"{w:.3g}".replace("-", "−")
    return f"y = {slope}x {'−' if b < 0 else '+'} {abs(b):.3g}"
