"""One error hierarchy for the whole app: every error a user may see carries its message."""

from __future__ import annotations


class AppError(Exception):
    """An expected failure with a message that is safe to show to the user."""

    status_code = 400
    code = "bad_request"

    def __init__(self, user_message: str, *, detail: str | None = None) -> None:
        super().__init__(detail or user_message)
        self.user_message = user_message


class ValidationError(AppError):
    """Input that breaks a rule; ``fields`` maps a field name to its message."""

    code = "validation_error"

    def __init__(self, user_message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(user_message)
        self.fields = dict(fields or {})


class NotAuthenticated(AppError):
    """The request carries no valid identity."""

    status_code = 401
    code = "not_authenticated"


class Forbidden(AppError):
    """The identity is known but lacks the role this action needs."""

    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    """The target does not exist (or is not visible to this user)."""

    status_code = 404
    code = "not_found"


class ConfigError(AppError):
    """The app is configured in a way it refuses to run with."""

    code = "config_error"
