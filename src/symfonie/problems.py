"""Errors that reach the user as a clear message: problem details in the API, a message on a page.

They carry the HTTP status they map to and, where one field is at fault, its name. Plain Python:
the domain core raises its own errors and the apps translate them into these.
"""

from __future__ import annotations


class Problem(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(Problem):
    status = 422
    title = "Invalid input"


class Conflict(Problem):
    status = 409
    title = "Conflict"


class PayloadTooLarge(Problem):
    status = 413
    title = "Payload too large"


class Forbidden(Problem):
    status = 403
    title = "Forbidden"


class NotFound(Problem):
    status = 404
    title = "Not found"
