"""Domain errors. They carry a message for the wire but no HTTP status: ``http/errors.py`` maps them."""

from __future__ import annotations


class PyrewatchError(Exception):
    """Base of every domain error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(PyrewatchError):
    pass


class Conflict(PyrewatchError):
    pass


class Forbidden(PyrewatchError):
    pass


class Unauthenticated(PyrewatchError):
    """No usable credential: missing, malformed, unknown, revoked or expired."""


class InvalidInput(PyrewatchError):
    pass


class BadRequest(PyrewatchError):
    pass


class Overloaded(PyrewatchError):
    """The server cannot take more work now; the client should retry later."""

    def __init__(self, message: str, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ConfigurationError(PyrewatchError):
    """A setting is invalid. Raised at start-up only; the CLI prints it on one line and exits 1."""
