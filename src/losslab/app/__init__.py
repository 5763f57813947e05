"""The interactive lab in the browser (``losslab serve``): Dash, served from 127.0.0.1.

Every number comes from the library: the lab's lesson (:mod:`losslab.lessons.lab`)
makes sessions, steps optimizers, zooms landscapes and trains the small network; this
package only checks what the page sends, calls it and draws what it returns. Each
browser tab keeps its own session (plain JSON) in a ``dcc.Store`` (in the page's
memory); the server holds no mutable state, only the lesson's caches of landscapes
keyed by the data and grid that made them.

Modules: :mod:`~losslab.app.schema` (every value the page sends, checked),
:mod:`~losslab.app.layout` (the page), :mod:`~losslab.app.callbacks` (one function per
callback, and the views), :mod:`~losslab.app.patch` (figures sent as patches).

Limits (documented in the README): at most 10,000 samples, 1,000 steps per
"Run", 5,000 points of path; the landscape grid is -10..10 in steps of 0.5
for the 3D view and 201 x 201 points around the data's minimum for the map.
The small network: at most 3 hidden layers of 64 units, 2,000 training steps,
a 41 x 41 plane.
"""

from __future__ import annotations

import functools
import logging
import socket
from typing import Any

from dash import Dash
from werkzeug.exceptions import HTTPException

from losslab import __version__
from losslab.app import callbacks
from losslab.app.layout import CSS, layout
from losslab.errors import LosslabError
from losslab.i18n import LANGS, Lang, tr
from losslab.lessons.lab import advance, new_session, setting, train_network

#: The largest request body the app reads (bytes); a tab's session at its limits is ~0.3 MB.
MAX_BODY = 2 * 1024 * 1024
log = logging.getLogger(__name__)


def refuse(exc: Exception) -> Any:
    """A request the app could not take apart (not shaped as Dash sends it): 400, never 500.

    HTTP errors (404, 405, 413, ...) keep their own status. The callbacks themselves never
    raise (:func:`losslab.app.schema.guarded`), so this sees only malformed requests.
    """
    if isinstance(exc, HTTPException):
        return exc
    log.warning("refused a malformed request: %s", type(exc).__name__)
    return tr("webapp.failed", "en"), 400


def create_app(lang: Lang = "en") -> Dash:
    """The Dash app, opening in ``lang``, with its callbacks; all JavaScript is served by this
    server itself."""
    app = Dash(__name__, title="losslab", serve_locally=True, update_title="")
    app.index_string = app.index_string.replace("{%css%}", "{%css%}<style>" + CSS + "</style>")
    app.layout = functools.partial(layout, lang)  # built per page load, in ``lang``
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_BODY  # a bigger request: 413, not 500
    app.server.register_error_handler(Exception, refuse)
    callbacks.register(app)
    return app


def port_free(host: str, port: int) -> bool:
    """True when ``port`` on ``host`` can be bound now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def serve(host: str = "127.0.0.1", port: int = 8050, lang: Lang = "en") -> None:
    """Start the app (blocks). Raises LosslabError when the port is taken."""
    if not 1 <= port <= 65535:
        raise LosslabError("error.port_range", port=port)
    if not port_free(host, port):
        raise LosslabError("error.port", port=port, host=host)
    import waitress  # type: ignore[import-untyped]  # production WSGI, pure Python

    app = create_app(lang)
    url = f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
    print(tr("app.listening", lang, url=url, version=__version__), flush=True)
    # A page load fires ~6 callbacks at once; queueing them is normal, not worth a warning.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress.serve(app.server, host=host, port=port, threads=8, _quiet=True)


__all__ = ["LANGS", "advance", "create_app", "new_session", "serve", "setting", "train_network"]
