"""Outgoing e-mail over SMTP (``LYCEUM_SMTP_*``): invitation and password-reset links."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from lyceum.settings import Settings

log = logging.getLogger(__name__)
NOT_SENT = "The e-mail could not be sent; copy the link instead."


def smtp_configured(settings: Settings) -> bool:
    """Whether links can be e-mailed."""
    return bool(settings.smtp_host and settings.smtp_from)


def send(settings: Settings, *, to: str, subject: str, body: str) -> tuple[bool, str]:
    """Send one plain-text message; ``(True, "")`` or ``(False, a message for the sender)``."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = str(settings.smtp_from)
    message["To"] = to
    message.set_content(body)
    try:
        with smtplib.SMTP(str(settings.smtp_host), settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail to %s failed: %s", to, exc)
        return False, NOT_SENT
    return True, ""
