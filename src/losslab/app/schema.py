"""Everything the browser sends, checked in one place before the app uses it.

Each tab's session and every field value come back from the page with each click, so
none of it is trusted: types, finite numbers, choices and lengths are checked against
the documented limits, and a bad value becomes a :class:`~losslab.errors.LosslabError`
(key ``webapp.*`` or ``error.*``) that the callbacks show in the message area.
:func:`guarded` makes sure no other exception ever leaves a callback (no HTTP 500).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import Any, TypeVar

from losslab.app.layout import LR_MAX, LR_MIN
from losslab.core.data import MAX_EXPRESSION_LENGTH, check_noise, check_seed
from losslab.errors import LosslabError
from losslab.i18n import TEXTS, Lang
from losslab.lessons.lab import MAX_PATH, MAX_SAMPLES
from losslab.optim.rules import OPTIMIZERS

#: The longest text a field may hold (the teacher, the samples, the start point).
MAX_TEXT = MAX_EXPRESSION_LENGTH
#: The slider's range: log10 of the learning rate.
LOG_LR_RANGE = (math.log10(LR_MIN), math.log10(LR_MAX))
#: The network section's largest learning rate.
NET_MAX_LR = 100.0
#: The most numbers an optimizer state may hold (the perceptron has two parameters).
MAX_STATE_NUMBERS = 64

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)


def is_number(value: object) -> bool:
    """True for an int or float that is finite (never a bool).

    >>> is_number(1.5), is_number(float("nan")), is_number(True), is_number("1")
    (True, False, False, False)
    """
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def lang_of(value: object) -> Lang:
    """The page's language, English for anything that is not one.

    >>> lang_of("ja"), lang_of(3)
    ('ja', 'en')
    """
    return "ja" if value == "ja" else "en"


def text(value: object, field: str, empty: str = "") -> str:
    """A text field (None -> ``empty``), at most :data:`MAX_TEXT` characters."""
    if value is None:
        return empty
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise LosslabError("webapp.text", field=field, limit=MAX_TEXT)
    return value


def choice(value: object, field: str, names: Any) -> str:
    """One of ``names``, else a LosslabError."""
    if not isinstance(value, str) or value not in names:
        raise LosslabError("webapp.choice", field=field, value=str(value)[:40])
    return value


def optimizer(value: object) -> str:
    """An optimizer name from :data:`losslab.optim.rules.OPTIMIZERS`."""
    return choice(value, "optimizer", OPTIMIZERS)


def log_lr(value: object) -> float:
    """The slider's value (log10 of the learning rate), within the slider's range."""
    low, high = LOG_LR_RANGE
    if not is_number(value) or not low - 1e-9 <= float(value) <= high + 1e-9:  # type: ignore[arg-type]
        raise LosslabError("webapp.learning_rate", low=f"{low:.3g}", high=f"{high:.3g}")
    return float(value)  # type: ignore[arg-type]


def noise(value: object) -> float:
    """The noise field (empty -> 0) through :func:`losslab.core.data.check_noise`."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise LosslabError("error.noise", noise=str(value)[:40])
    return check_noise(value)


def seed(value: object) -> int:
    """The seed field (empty -> 0) through :func:`losslab.core.data.check_seed`."""
    if value is None or value == "":
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return check_seed(value)


def batch(value: object) -> int | None:
    """The batch field: empty for the whole data, else 1..MAX_SAMPLES."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SAMPLES:
        raise LosslabError("webapp.batch", limit=MAX_SAMPLES)
    return value


def net_lr(value: object) -> float:
    """The network's learning rate: a number in (0, NET_MAX_LR]."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if not is_number(value) or not 0 < float(value) <= NET_MAX_LR:  # type: ignore[arg-type]
        raise LosslabError("webapp.net_lr", limit=NET_MAX_LR)
    return float(value)  # type: ignore[arg-type]


def click_point(click: object) -> list[float] | None:
    """The (w, b) of a click on the map, None when there was no click."""
    if not click:
        return None
    try:
        point = click["points"][0]  # type: ignore[index]
        w, b = point["x"], point["y"]
    except (TypeError, KeyError, IndexError):
        raise LosslabError("webapp.click") from None
    if not (is_number(w) and is_number(b)) or max(abs(w), abs(b)) > 1e15:
        raise LosslabError("webapp.click")
    return [float(w), float(b)]


def _numbers(value: object, budget: list[int]) -> bool:
    """True when ``value`` is a finite number or nested lists/dicts of them, within budget."""
    if is_number(value):
        budget[0] -= 1
        return budget[0] >= 0
    if isinstance(value, list):
        return len(value) <= budget[0] and all(_numbers(v, budget) for v in value)
    if isinstance(value, dict):
        return len(value) <= budget[0] and all(
            isinstance(k, str) and _numbers(v, budget) for k, v in value.items()
        )
    return False


def _settings(value: object) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != {"teacher", "x", "noise", "seed"}:
        raise LosslabError("webapp.session")
    if not (isinstance(value["noise"], int | float) and isinstance(value["seed"], int)):
        raise LosslabError("webapp.session")
    return {"teacher": text(value["teacher"], "teacher"), "x": text(value["x"], "x"),
            "noise": noise(value["noise"]), "seed": seed(value["seed"])}  # fmt: skip


def _path(path: object, losses: object) -> None:
    if not (isinstance(path, list) and isinstance(losses, list)):
        raise LosslabError("webapp.session")
    if not 1 <= len(path) <= MAX_PATH or len(losses) != len(path):
        raise LosslabError("webapp.session")
    for p in path:
        if not (isinstance(p, list) and len(p) == 2 and all(is_number(v) for v in p)):
            raise LosslabError("webapp.session")
        if max(abs(p[0]), abs(p[1])) > 1e150:
            raise LosslabError("webapp.session")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in losses):
        raise LosslabError("webapp.session")


def _opt(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or set(value) != {"name", "lr", "state"}:
        raise LosslabError("webapp.session")
    optimizer(value["name"])
    if not is_number(value["lr"]) or not LR_MIN * 0.99 <= value["lr"] <= LR_MAX * 1.01:
        raise LosslabError("webapp.session")
    if not _numbers(value["state"], [MAX_STATE_NUMBERS]):
        raise LosslabError("webapp.session")


def _message(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or len(value) > 5:
        raise LosslabError("webapp.session")
    if value.get("kind") == "diverged":
        if not all(is_number(value.get(k)) for k in ("step", "lr", "limit")) or not value["limit"]:
            raise LosslabError("webapp.session")
        return
    params = value.get("params", {})
    if not isinstance(value.get("key"), str) or value["key"] not in TEXTS:
        raise LosslabError("webapp.session")
    if not isinstance(params, dict) or len(params) > 8:
        raise LosslabError("webapp.session")


def session(value: object) -> dict[str, Any] | None:
    """A tab's stored session, checked (None when the tab has none yet), else LosslabError.

    >>> session(None) is None
    True
    >>> try:
    ...     session("x")
    ... except LosslabError as exc:
    ...     print(exc.key)
    webapp.session
    """
    if value is None:
        return None
    keys = {"settings", "path", "losses", "opt", "stop", "message"}
    if not isinstance(value, dict) or set(value) != keys:
        raise LosslabError("webapp.session")
    settings = _settings(value["settings"])
    _path(value["path"], value["losses"])
    _opt(value["opt"])
    _message(value["message"])
    return {**value, "settings": settings}


def guarded(fallback: Callable[[str], Any], lang_at: int | None = None) -> Callable[[F], F]:
    """Wrap a callback: any exception becomes ``fallback(sentence)``, never an HTTP 500.

    A LosslabError gives its own sentence; anything else is logged and answered with
    ``webapp.failed``; both in the language of argument ``lang_at`` (English without one).
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any) -> Any:
            lang = lang_of(args[lang_at]) if lang_at is not None and lang_at < len(args) else "en"
            try:
                return fn(*args)
            except LosslabError as exc:
                return fallback(exc.localized(lang))
            except Exception:  # the page gets a sentence, the log the traceback
                log.exception("callback %s failed", fn.__name__)
                return fallback(LosslabError("webapp.failed").localized(lang))

        return inner  # type: ignore[return-value]

    return wrap
