"""The token form's refusal says what to fix once (the title already says "Not created")."""

from __future__ import annotations

from callbacks.access.tokens import not_created_message
from lyceum.errors import Forbidden, ValidationError


def test_field_messages_replace_the_general_one() -> None:
    exc = ValidationError("The token was not created.",
                          fields={"name": "Give the token a name of 1 to 120 characters."})
    assert not_created_message(exc) == "Give the token a name of 1 to 120 characters."


def test_an_error_without_fields_keeps_its_message() -> None:
    exc = Forbidden("A token's role cannot be higher than your own role on the cluster.")
    assert not_created_message(exc) == exc.user_message
