"""Ids of the cluster wizard (``/clusters/new``)."""

from __future__ import annotations


class Wizard:
    """The 4-step cluster wizard."""

    stepper = "wizard-stepper-div"
    body = "wizard-body-div"
    estimate = "wizard-estimate-div"
    back = "wizard-back-button"
    next = "wizard-next-button"
    deploy = "wizard-deploy-button"
    reset = "wizard-reset-button"
    alert = "wizard-alert-div"
    database_hint = "wizard-database-hint"
    redirect = "wizard-redirect-location"
    load = "wizard-load-store"
    FIELD = "wizard-field"
    FEEDBACK = "wizard-feedback"
    MEMBER = "wizard-member"
    HINT = "wizard-hint"
    STEP = "wizard-step-link"


def wizard_field(name: str) -> dict[str, str]:
    """The id of one wizard input (pattern-matched by name)."""
    return {"type": Wizard.FIELD, "name": name}


def wizard_feedback(name: str) -> dict[str, str]:
    """The id of the message shown under one wizard input."""
    return {"type": Wizard.FEEDBACK, "name": name}


def wizard_step(number: int) -> dict[str, str | int]:
    """The id of a step in the stepper that can be jumped to."""
    return {"type": Wizard.STEP, "step": number}


def wizard_member(user_id: int) -> dict[str, str | int]:
    """The id of the role picker for one user on the team step."""
    return {"type": Wizard.MEMBER, "user": user_id}
