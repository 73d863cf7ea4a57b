"""The inspector: a browser view of the mock under `/_mockgraph/` (the Graph requests it was sent, live;
the data it holds; its controls) and the landing page a browser gets for `/`.

Server-rendered Jinja pages (autoescaped) plus a little plain JavaScript and CSS in `static/`: no build
step, nothing fetched from elsewhere. The pages only read; every change goes through the control API
itself, with the header `guard.py` asks of a browser.
"""

from mockgraph.control.inspector.pages import before_request, blueprint

__all__ = ["before_request", "blueprint"]
