"""`GET /_mockgraph/openapi.json`: the mock's own OpenAPI document (see `mockgraph.openapi`)."""

from __future__ import annotations

import json
import threading
from importlib import metadata

from flask import Blueprint, Response

from mockgraph.control.openapi import build_document
from mockgraph.graph.pipeline import CONTROL_PREFIX
from mockgraph.graph.routes import context as ctx


def blueprint() -> Blueprint:
    bp = Blueprint("control_openapi", __name__, url_prefix=CONTROL_PREFIX)
    # One blueprint per app: the document is built on first request (~20 ms) and kept for the app's life.
    built: list[str] = []
    lock = threading.Lock()

    @bp.get("/openapi.json")
    def openapi_document():
        with lock:
            if not built:
                built.append(json.dumps(build_document(ctx.state().facets, version=_version())))
        return Response(built[0], content_type="application/json")

    return bp


def _version() -> str:
    try:
        return metadata.version("mockgraph")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0"
