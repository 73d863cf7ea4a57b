"""Storage: the repository the app uses, and the durable TinyDB storage behind `--db`."""

from mockgraph.store.repository import Repository

__all__ = ["Repository"]
