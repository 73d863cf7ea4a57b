"""How Graph answers: JSON bodies, the error envelope, and the headers every response carries."""

from __future__ import annotations

import datetime as dt

from flask import Response

from mockgraph.graph.errors import GraphError
from mockgraph.graph.jsonio import dumps_utf8

# Graph's own JSON content type (seen in $batch responses); clients accept any application/json.
JSON_CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)
EXPOSED_HEADERS = "request-id, client-request-id, Location, Retry-After"


def json_response(payload, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(dumps_utf8(payload), status=status, content_type=JSON_CONTENT_TYPE, headers=headers)
    response.headers["OData-Version"] = "4.0"
    return response


def error_body(error: GraphError, request_id: str, client_request_id: str, now: dt.datetime) -> dict:
    inner = {
        "date": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": request_id,
        "client-request-id": client_request_id,
        **error.inner_error_extra(),
    }
    return {"error": {"code": error.code, "message": error.message, "innerError": inner}}


def error_response(error: GraphError, request_id: str, client_request_id: str, now: dt.datetime) -> Response:
    return json_response(error_body(error, request_id, client_request_id, now), error.status, error.headers)
