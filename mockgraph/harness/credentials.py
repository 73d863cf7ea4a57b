"""Token credentials for the official SDK that need no network (CONTRACT §10), and `graph_client()`.

azure-identity's credentials call Microsoft's login service, which test machines cannot reach; these
mint the mock's unsigned JWTs (`make_token`) instead. The SDK (`mockgraph[sdk]`) is imported lazily.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from mockgraph.graph.tokens import make_token

DEFAULT_SCOPES = ("https://graph.microsoft.com/.default",)
# The SDK sends tokens only to these hosts, and accepts plain http only for the loopback names.
LOCAL_HOSTS = ("graph.microsoft.com", "127.0.0.1", "localhost", "::1")
NEVER_EXPIRES = 2**31 - 1


class MockCredential:
    """An azure-core `TokenCredential` (and `SupportsTokenInfo`) whose tokens carry the given claims.

    `MockCredential(oid=..., scp="User.Read", roles=[...], upn=..., name=..., appid=..., expires_in=...)`;
    no claims at all means the mock's default user with every permission. Each call mints a new token.
    """

    def __init__(self, *, expires_in: float | None = 3600, **claims):
        self.expires_in = expires_in
        self.claims = claims

    def _mint(self) -> tuple[str, int]:
        token = make_token(expires_in=self.expires_in, **self.claims)
        expires_on = NEVER_EXPIRES if self.expires_in is None else int(time.time() + self.expires_in)
        return token, expires_on

    def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None,
                  enable_cae: bool = False, **kwargs):
        from azure.core.credentials import AccessToken

        return AccessToken(*self._mint())

    def get_token_info(self, *scopes: str, options=None):
        from azure.core.credentials import AccessTokenInfo

        token, expires_on = self._mint()
        return AccessTokenInfo(token, expires_on, token_type="Bearer")

    def close(self) -> None:
        """Nothing to release; present because the protocols declare it."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class AsyncMockCredential(MockCredential):
    """The same, as an azure-core `AsyncTokenCredential` (and `AsyncSupportsTokenInfo`)."""

    async def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None,
                        enable_cae: bool = False, **kwargs):
        return MockCredential.get_token(self, *scopes)

    async def get_token_info(self, *scopes: str, options=None):
        return MockCredential.get_token_info(self, *scopes)

    async def close(self) -> None:
        """Nothing to release."""

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


def graph_client(base_url: str, credential=None, scopes: list[str] | tuple[str, ...] = DEFAULT_SCOPES):
    """A `GraphServiceClient` for the mock at `base_url` (`http://127.0.0.1:PORT/beta`, or
    `https://graph.microsoft.com/beta` under `intercept()`), with the SDK's own middleware kept.

    `credential` defaults to `MockCredential()`: the default user with every permission.
    """
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph_beta import GraphRequestAdapter, GraphServiceClient

    host = urlsplit(base_url).hostname or ""
    allowed_hosts = list(dict.fromkeys((*LOCAL_HOSTS, host) if host else LOCAL_HOSTS))
    provider = AzureIdentityAuthenticationProvider(credential or MockCredential(), scopes=list(scopes),
                                                   allowed_hosts=allowed_hosts)
    adapter = GraphRequestAdapter(provider)
    # The SDK joins paths to the base itself: a trailing slash would double it.
    adapter.base_url = base_url.rstrip("/")
    return GraphServiceClient(request_adapter=adapter)
