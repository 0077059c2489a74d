"""The one error family: the message a user sees, the log's detail, the HTTP status."""

from __future__ import annotations

import pytest

from lyceum.errors import (
    AppError,
    ConfigError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationError,
)


def test_the_user_message_is_kept_apart_from_the_detail_for_the_log() -> None:
    exc = AppError("That did not work.", detail="row 7: overflow in column x")
    assert exc.user_message == "That did not work."
    assert str(exc) == "row 7: overflow in column x"
    assert str(AppError("Only this.")) == "Only this."


def test_field_messages_are_copied() -> None:
    fields = {"name": "Give it a name."}
    exc = ValidationError("Some choices need attention.", fields=fields)
    fields["name"] = "changed"
    assert exc.fields == {"name": "Give it a name."}
    assert ValidationError("Bad.").fields == {}


@pytest.mark.parametrize(("kind", "status", "code"), [
    (AppError, 400, "bad_request"), (ValidationError, 400, "validation_error"),
    (NotAuthenticated, 401, "not_authenticated"), (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"), (ConfigError, 400, "config_error")])
def test_each_kind_has_its_status_and_code(kind: type[AppError], status: int,
                                           code: str) -> None:
    assert (kind.status_code, kind.code) == (status, code)
    assert issubclass(kind, AppError)
