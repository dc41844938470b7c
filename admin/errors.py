"""Domain errors. Services raise them; the API renders the contract's error shape, the console a message."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 details: list | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or ([{"field": field, "message": message}] if field else [])
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
