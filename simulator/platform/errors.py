"""OCPI errors as exceptions: each class carries its OCPI status code and HTTP status (§5).

One exception handler (`transport.py`) renders every one of them, and every other failure, into
the response envelope, so no request gets a non-OCPI body.
"""

from __future__ import annotations

from typing import ClassVar


class OcpiError(Exception):
    """Base: an OCPI status code and the HTTP status it travels with."""

    ocpi_status: ClassVar[int] = 3000
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GenericClientError(OcpiError):
    """2000; HTTP 400 for a body that is not valid JSON (§5 MUST)."""

    ocpi_status = 2000
    http_status = 400


class InvalidParameters(OcpiError):
    """2001: invalid or missing parameters, reported in HTTP 200 once at the OCPI layer (§5)."""

    ocpi_status = 2001
    http_status = 200


class InvalidDateTime(InvalidParameters, ValueError):
    """2001: a DateTime that is no real moment (§16.2). Also a ValueError for parsing code."""


class NotEnoughInformation(OcpiError):
    ocpi_status = 2002
    http_status = 200


class UnknownLocation(OcpiError):
    ocpi_status = 2003
    http_status = 200


class UnknownToken(OcpiError):
    """§12.2.2.2: HTTP 404 with 2004 and no data."""

    ocpi_status = 2004
    http_status = 404


class Unauthorized(OcpiError):
    """§4.1.2: header missing, token unknown, or TOKEN_A outside versions/credentials."""

    ocpi_status = 2000
    http_status = 401

    def __init__(self, message: str, reason: str = "unknown") -> None:
        super().__init__(message)
        self.reason = reason


class NotFound(OcpiError):
    """§5: the object does not exist (HTTP 404 SHOULD)."""

    ocpi_status = 2000
    http_status = 404


class MethodNotAllowed(OcpiError):
    """§7.2: credentials misuse, and HTTP methods a module does not serve. `allow` lists the
    methods the caller may use instead: a 405 carries them in `Allow` (RFC 9110 §15.5.6)."""

    ocpi_status = 2000
    http_status = 405

    def __init__(self, message: str, allow: tuple[str, ...]) -> None:
        super().__init__(message)
        self.allow = allow


class PayloadTooLarge(OcpiError):
    ocpi_status = 2000
    http_status = 413


class UnableToUseClientApi(OcpiError):
    """3001: the partner's versions or details could not be fetched (§7.1.1)."""

    ocpi_status = 3001
    http_status = 200


class UnsupportedVersion(OcpiError):
    ocpi_status = 3002
    http_status = 200


class NoMatchingEndpoints(OcpiError):
    ocpi_status = 3003
    http_status = 200


class ServerError(OcpiError):
    ocpi_status = 3000
    http_status = 500
