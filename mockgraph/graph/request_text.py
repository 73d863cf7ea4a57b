"""The text of a request outside its body: the URL and the header values must be text too.

A WSGI server hands the path and query string over as the raw bytes (ISO-8859-1 strings, PEP 3333);
werkzeug decodes them as UTF-8 with replacement characters, which would silently turn invalid bytes
into other text. A header value holds whatever an in-process caller or a `$batch` item put there.
Bodies are checked where they are parsed (`jsonio.loads_strict`).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from mockgraph.graph.errors import BadRequest
from mockgraph.text import is_text

UNPREFIXED = ("CONTENT_TYPE", "CONTENT_LENGTH")  # the two headers WSGI names without HTTP_


def header_items(environ: dict) -> list[tuple[str, object]]:
    """The request's headers as the environ names them (`HTTP_ACCEPT`, `CONTENT_TYPE`), in its order."""
    return [(k, v) for k, v in environ.items() if k.startswith("HTTP_") or k in UNPREFIXED]


def check_request_text(environ: dict, headers: list[tuple[str, object]]) -> None:
    """BadRequest unless the path, the percent-decoded query string and every header (`header_items`)
    are text."""
    if not _is_utf8(environ.get("PATH_INFO", ""), percent_encoded=False):
        raise BadRequest("The request URL's path is not valid UTF-8.")
    if not _is_utf8(environ.get("QUERY_STRING", ""), percent_encoded=True):
        raise BadRequest("The request URL's query string is not valid UTF-8 once percent-decoded.")
    for key, value in headers:
        if isinstance(value, str) and not is_text(value):
            name = key.removeprefix("HTTP_").replace("_", "-").title()
            raise BadRequest(f"The value of the header '{name}' is not valid Unicode text.")


def _is_utf8(raw: str, *, percent_encoded: bool) -> bool:
    if raw.isascii() and not (percent_encoded and "%" in raw):
        return True
    try:
        data = raw.encode("latin-1")
    except UnicodeEncodeError:  # not bytes-as-latin-1 (an in-process caller): then it must be text itself
        return is_text(raw)
    if percent_encoded:
        data = unquote_to_bytes(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
