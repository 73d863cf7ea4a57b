"""The package's version, as `mockgraph --version` and `mockgraph.__version__` give it."""

from __future__ import annotations

from pathlib import Path

UNKNOWN = "0+unknown"


def package_version() -> str:
    """The installed distribution's version; in a source tree that was never installed (on `PYTHONPATH`),
    the one its pyproject.toml declares."""
    from importlib import metadata

    try:
        return metadata.version("mockgraph")
    except metadata.PackageNotFoundError:
        return source_tree_version(Path(__file__).resolve().parent.parent / "pyproject.toml")


def source_tree_version(pyproject: Path) -> str:
    import tomllib

    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError):
        return UNKNOWN
    if project.get("name") != "mockgraph":  # some other project's file beside an unpacked package
        return UNKNOWN
    return str(project.get("version", UNKNOWN))
