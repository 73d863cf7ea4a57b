"""Calls a test client makes to the mock under test, over HTTP, as an app would."""

from __future__ import annotations

import requests

from mockgraph import make_token

# From the bundled fixtures (mockgraph/fixtures/default.json).
ADELE = "7c1e4b92-3a5d-4f08-b6e1-9d2a0c4f7e13"
NESTOR = "b4f09a6e-2d7c-4e51-8a3f-61c5e0d9b287"
BEARER = {"Authorization": "Bearer x"}  # the default user, Adele
NESTOR_TOKEN = {"Authorization": f"Bearer {make_token(oid=NESTOR, scp='User.ReadWrite.All')}"}
POSITION = {"detail": {"jobTitle": "Staff Engineer", "company": {"displayName": "Fabrikam"}}}


def graph(mock, method: str, path: str, headers=None, **kwargs) -> requests.Response:
    """`headers` replace the default token (`{}`: none at all)."""
    return requests.request(method, mock.base_url + path, headers=BEARER if headers is None else headers,
                            timeout=60, **kwargs)


def control(mock, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{mock.url}/_mockgraph{path}", timeout=60, **kwargs)
