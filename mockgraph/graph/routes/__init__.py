"""Thin Flask views: each parses, checks in CONTRACT §2's order, calls the service, renders."""

from __future__ import annotations

from flask import Flask

from mockgraph.graph.routes import batch, profile, profile_root, users
from mockgraph.state import MockState


def register(app: Flask, state: MockState) -> None:
    app.register_blueprint(profile.blueprint(state))
    app.register_blueprint(profile_root.blueprint(state))
    for version in ("beta", "v1.0"):
        app.register_blueprint(users.blueprint(version, state.secret))
    app.register_blueprint(batch.blueprint())
