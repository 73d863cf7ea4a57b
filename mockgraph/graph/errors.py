"""Graph error codes, one exception type each.

Raise one anywhere while handling a request; the app turns it into Graph's envelope
(`{"error": {"code", "message", "innerError"}}`) with the right status and headers.
"""

from __future__ import annotations


class GraphError(Exception):
    status = 500
    code = "generalException"
    default_message = "An unexpected error occurred."

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None):
        self.message = message if message is not None else self.default_message
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def inner_error_extra(self) -> dict:
        """Properties a code adds to `innerError` beyond date and the two request ids."""
        return {}


class BadRequest(GraphError):
    status = 400
    code = "BadRequest"
    default_message = "Bad request."


class UnreadableBody(BadRequest):
    default_message = (
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is "
        "of valid JSON format."
    )


class MethodNotAllowed(GraphError):
    status = 405
    code = "Request_BadRequest"
    default_message = "Specified HTTP method is not allowed for the request target."

    def __init__(self, allowed: list[str] | None = None):
        # HTTP requires a 405 to list the methods the target does support.
        super().__init__(headers={"Allow": ", ".join(allowed)} if allowed else None)


class InvalidAuthenticationToken(GraphError):
    status = 401
    code = "InvalidAuthenticationToken"
    default_message = "Access token is empty."

    def __init__(self, message: str | None = None):
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm=""'})


class AuthorizationRequestDenied(GraphError):
    status = 403
    code = "Authorization_RequestDenied"
    default_message = "Insufficient privileges to complete the operation."


class ResourceNotFound(GraphError):
    """An unknown user (directory object)."""

    status = 404
    code = "Request_ResourceNotFound"

    def __init__(self, resource: str):
        super().__init__(
            f"Resource '{resource}' does not exist or one of its queried reference-property objects "
            "are not present."
        )


class ItemNotFound(GraphError):
    """An unknown item of a profile collection."""

    status = 404
    code = "itemNotFound"

    def __init__(self, item_id: str, type_name: str = "item"):
        super().__init__(f"The {type_name} '{item_id}' was not found.")


class ResourceModified(GraphError):
    """A write whose request started before a reset of the mock: it would land in the next test's state.

    409 with Graph's `resourceModified` ("the resource being updated has changed since the caller last
    read it"): the state it acted on is gone. Not a 412, which answers a precondition the client sent;
    not a 503 or 429, which the SDK's retry handler would retry into the new state."""

    status = 409
    code = "resourceModified"
    default_message = (
        "The mock's state was reset after this request started; the request changed nothing. Send it again "
        "to act on the state as it is now."
    )


class RequestEntityTooLarge(GraphError):
    status = 413
    code = "RequestEntityTooLarge"
    default_message = "The request body exceeds the maximum allowed size."


class RetryLater(GraphError):
    """An answer that tells the client when to try again (`Retry-After`, in seconds)."""

    def __init__(self, retry_after: float = 1, message: str | None = None):
        super().__init__(message, headers={"Retry-After": _seconds(retry_after)})


class TooManyRequests(RetryLater):
    status = 429
    code = "TooManyRequests"
    default_message = "Please retry again later."

    def inner_error_extra(self) -> dict:
        # Microsoft's throttling page shows these three inside innerError.
        return {"code": "429", "message": "Please retry after", "status": "429"}


class GeneralException(GraphError):
    status = 500
    code = "generalException"


class BadGateway(GraphError):
    status = 502
    code = "BadGateway"
    default_message = "The service received an invalid response from an upstream server."


class ServiceNotAvailable(RetryLater):
    status = 503
    code = "serviceNotAvailable"
    default_message = "The service is temporarily unavailable. Please retry after the time given."


class GatewayTimeout(GraphError):
    status = 504
    code = "GatewayTimeout"
    default_message = "The service did not answer in time."


class QuotaLimitReached(GraphError):
    status = 507
    code = "quotaLimitReached"
    default_message = "The user has reached their quota limit."


class GeneralFailure(GeneralException):
    """generalException with any status: a fault rule's answer for a status Graph has no own code for."""

    def __init__(self, status: int, message: str | None = None):
        super().__init__(message)
        self.status = status


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
