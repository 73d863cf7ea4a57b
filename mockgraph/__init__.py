from mockgraph.app import create_app
from mockgraph.credentials import AsyncMockCredential, MockCredential, graph_client
from mockgraph.intercept import intercept
from mockgraph.tokens import make_token

__all__ = ["create_app", "intercept", "make_token", "MockCredential", "AsyncMockCredential", "graph_client"]
