"""Domain errors. Services raise them; the app renders the contract's error shape for JSON callers
(``error_response``, the one place that builds it) and a page for people."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 details: list | None = None, status: int | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or ([{"field": field, "message": message}] if field else [])
        self.headers = dict(headers or {})  # sent with the answer, e.g. Retry-After
        if code:
            self.code = code
        if status:
            self.status = status


class Invalid(DomainError):
    status = 422
    code = "validation_error"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: float = 1.0, **kwargs):
        from .limits import retry_after as seconds

        super().__init__(message, **kwargs)
        self.headers.setdefault("Retry-After", seconds(retry_after))


def error_body(code: str, message: str, details: list | None = None) -> dict:
    """The contract's error shape: ``{"error": {"code", "message"[, "details"]}}``."""
    body = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def error_response(exc: DomainError):
    """The JSON answer for a DomainError: its status, the error shape, its headers."""
    from flask import jsonify

    response = jsonify(error_body(exc.code, exc.message, exc.details))
    response.status_code = exc.status
    response.headers.update(exc.headers)
    response.headers.setdefault("Cache-Control", "no-store")
    return response
