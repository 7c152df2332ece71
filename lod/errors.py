"""Typed errors. Each carries an HTTP ``status`` and an exit code for the CLI; one handler renders them."""

from __future__ import annotations

__all__ = [
    "LodError", "UserError", "ConfigError", "SourceError", "HarvestError", "ValidationFailed",
    "PublishError", "StoreLocked", "NotFound", "BadRequest", "BadQuery", "NotAcceptable", "ReadOnly",
    "QueryTimeout", "TooManyRequests", "ServiceUnavailable", "EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE",
]

EXIT_OK = 0
EXIT_FAILURE = 1   # something went wrong while doing the work (harvest failed, store locked, …)
EXIT_USAGE = 2     # the user's input is wrong (settings, source file, arguments, query syntax)


class LodError(Exception):
    """Base class: ``message`` is for people, ``status`` for HTTP, ``exit_code`` for the CLI."""

    status = 500
    exit_code = EXIT_FAILURE
    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserError(LodError):
    status = 400
    exit_code = EXIT_USAGE
    kind = "bad-input"


class ConfigError(UserError):
    """A settings or source file is wrong; the message names file, line and key."""

    kind = "config"

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path, self.line, self.key = path, line, key


class SourceError(ConfigError):
    """A ``sources/<slug>/source.yaml`` (or curated record) is wrong."""

    kind = "source"


class HarvestError(LodError):
    """Fetching or reading a source failed (network, limits, changed page shape)."""

    kind = "harvest"


class ValidationFailed(LodError):
    """A harvested graph violates SHACL shapes or sanity checks; it is not published."""

    kind = "validation"


class PublishError(LodError):
    kind = "publish"


class StoreLocked(PublishError):
    """Another publisher holds the store lock."""

    kind = "locked"


class NotFound(LodError):
    status = 404
    exit_code = EXIT_USAGE
    kind = "not-found"


class BadRequest(UserError):
    kind = "bad-request"


class BadQuery(UserError):
    """A SPARQL query that cannot be parsed or is refused (with the reason)."""

    kind = "bad-query"


class ReadOnly(BadQuery):
    """Updates, LOAD and SERVICE are refused on the public endpoint."""

    kind = "read-only"


class NotAcceptable(LodError):
    status = 406
    exit_code = EXIT_USAGE
    kind = "not-acceptable"

    def __init__(self, message: str, alternatives: list[str] | None = None) -> None:
        super().__init__(message)
        self.alternatives = alternatives or []


class QueryTimeout(LodError):
    status = 503
    kind = "timeout"


class TooManyRequests(LodError):
    status = 429
    kind = "rate-limited"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(LodError):
    status = 503
    kind = "unavailable"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after
