"""Graph's answer for a path it has no route for: the first segment it could not resolve."""

from __future__ import annotations

import re

from mockgraph.graph.errors import BadRequest, GraphError, MethodNotAllowed

ANY = "*"


def path_tree(facet_segments, *, with_profile: bool) -> dict:
    facets = {segment: {"$count": {}, ANY: {}} for segment in facet_segments}
    profile = {"profile": facets} if with_profile else {}
    return {
        "users": {ANY: dict(profile)},
        "user": {ANY: dict(profile)},
        "me": dict(profile),
        "$batch": {},
    }


def unresolved_segment(tree: dict, segments: list[str]) -> str | None:
    node = tree
    for segment in segments:
        if segment in node:
            node = node[segment]
        elif ANY in node:
            node = node[ANY]
        else:
            return segment
    return None


def routing_error(path: str, facet_segments, allowed_methods: list[str] | None = None) -> GraphError:
    """A 405 when the path exists with `allowed_methods`; else the 400 for its unresolved segment."""
    if allowed_methods is not None:
        return MethodNotAllowed(allowed_methods)
    version, _, rest = path.lstrip("/").partition("/")
    if version not in ("beta", "v1.0"):
        return BadRequest(f"Invalid version: {version}")
    segments = [s for s in rest.split("/") if s]
    tree = path_tree(facet_segments, with_profile=version == "beta")
    segment = unresolved_segment(tree, segments)
    if segment is None:
        # A known path prefix with nothing to answer (e.g. "/beta/users"): name its last segment.
        segment = segments[-1] if segments else version
    return BadRequest(f"Resource not found for the segment '{segment}'.")


def merge_slashes(wsgi_app):
    """`/beta//me` is `/beta/me`. The official SDK built the default way sends such paths (its base URL
    ends with a slash and its templates start with one) and works against Graph; werkzeug would
    answer them with a redirect, which the pipeline reports as an unknown segment."""

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = re.sub("/{2,}", "/", path)
        return wsgi_app(environ, start_response)

    return app
