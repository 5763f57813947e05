"""The one exception type a user sees: a sentence in English and Japanese.

Every check of user input raises :class:`LosslabError` with a key into the
message catalogue of :mod:`losslab.i18n`, so that the CLI (and later the web
app) can show the same sentence in the user's language, never a traceback.
"""

from __future__ import annotations

from typing import Any

from losslab.i18n import Lang, tr

#: User text longer than this is cut in a message (with an ellipsis).
MAX_QUOTED = 200


def _printable(text: str) -> str:
    r"""User text made safe to print: control characters escaped, long text cut.

    >>> _printable("x\x1b[31m+\n")
    'x\\x1b[31m+\\n'
    """
    cut = text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in cut
    )


class LosslabError(ValueError):
    """Bad input, explained in one sentence that says what to do.

    >>> e = LosslabError("error.grid_empty", spec="1:0:1")
    >>> print(e)
    The grid '1:0:1' is empty: give start:stop:step with start < stop and step > 0.
    >>> print(e.localized("ja"))
    グリッド '1:0:1' が空です。start < stop、step > 0 の start:stop:step で指定してください。
    """

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = {name: _printable(v) if isinstance(v, str) else v
                       for name, v in params.items()}  # fmt: skip
        super().__init__(tr(key, "en", **self.params))

    def localized(self, lang: Lang) -> str:
        """The message in ``lang`` ('en' or 'ja')."""
        return tr(self.key, lang, **self.params)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its key and fields, so that an error raised on a Dask worker
        # reaches the client as the same sentence (the default would pass the text as key).
        return (_rebuild, (type(self), self.key, self.params))


def _rebuild(cls: type[LosslabError], key: str, params: dict[str, Any]) -> LosslabError:
    return cls(key, **params)
