"""Outgoing e-mail: configured only with a host and a sender; a message goes out with its
headers and body; a server that does not answer gives the sender a message, not an error."""

from __future__ import annotations

import logging
from email import message_from_bytes
from pathlib import Path

import pytest

from lyceum.settings import Settings, load_settings
from services.access import mail
from tests.servers import free_port
from tests.smtp_sink import SmtpSink


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"LYCEUM_INSTANCE": str(tmp_path / "instance")})


@pytest.mark.parametrize(("host", "sender", "configured"), [
    (None, None, False), ("smtp.example.com", None, False), (None, "l@example.com", False),
    ("smtp.example.com", "l@example.com", True),
])
def test_links_are_mailed_only_with_a_host_and_a_sender(settings: Settings, host: str | None,
                                                        sender: str | None,
                                                        configured: bool) -> None:
    assert mail.smtp_configured(settings.with_overrides(smtp_host=host,
                                                       smtp_from=sender)) is configured


def test_a_message_goes_out_with_its_headers_and_body(settings: Settings) -> None:
    sink = SmtpSink()
    sent = mail.send(settings.with_overrides(smtp_host="127.0.0.1", smtp_port=sink.port,
                                             smtp_from="lyceum@example.com",
                                             smtp_starttls=False),
                     to="ann@example.com", subject="Your invitation", body="Open the link.")
    sink.thread.join(timeout=10)
    assert sent == (True, "")
    message = message_from_bytes(sink.messages[0])
    assert (message["From"], message["To"], message["Subject"]) == (
        "lyceum@example.com", "ann@example.com", "Your invitation")
    assert str(message.get_payload()).strip() == "Open the link."


def test_a_server_that_does_not_answer_gives_the_sender_a_message(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    closed = settings.with_overrides(smtp_host="127.0.0.1", smtp_port=free_port(),
                                     smtp_from="lyceum@example.com", smtp_starttls=False)
    with caplog.at_level(logging.WARNING, logger=mail.__name__):
        sent = mail.send(closed, to="ann@example.com", subject="s", body="b")
    assert sent == (False, "The e-mail could not be sent; copy the link instead.")
    assert "e-mail to ann@example.com failed" in caplog.text
