"""The SMTP password never travels unencrypted unless the configuration says so."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask

from app.reminders.mailer import MailUnavailable, SmtpMailer


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "kiemtra@example.test"
    message["To"] = "office@example.test"
    message["Subject"] = "Nhắc hạn"
    message.set_content("Một nhiệm vụ sắp đến hạn.")
    return message


def _config(app: Flask, **settings: Any) -> dict[str, Any]:
    return {**app.config, **settings}


def test_a_password_is_not_sent_over_a_plain_connection(app: Flask, smtp: Any) -> None:
    config = _config(app, SMTP_USERNAME="kiemtra", SMTP_PASSWORD="secret", SMTP_TLS=None, SMTP_STARTTLS=False)
    with SmtpMailer(config) as mailer, pytest.raises(MailUnavailable, match="without TLS"):
        mailer.send(_message())
    assert mailer.connection is None
    assert smtp.messages == []


def test_starttls_that_the_server_does_not_offer_fails_instead_of_falling_back(app: Flask, smtp: Any) -> None:
    config = _config(app, SMTP_USERNAME="kiemtra", SMTP_PASSWORD="secret", SMTP_TLS="starttls")
    with SmtpMailer(config) as mailer, pytest.raises(MailUnavailable):
        mailer.send(_message())
    assert smtp.messages == []


def test_without_a_password_a_plain_connection_still_delivers(app: Flask, smtp: Any) -> None:
    with SmtpMailer(_config(app, SMTP_USERNAME=None, SMTP_TLS="none")) as mailer:
        mailer.send(_message())
    assert [m["Subject"] for m in smtp.messages] == ["Nhắc hạn"]


def test_an_unknown_tls_mode_is_named_in_the_error(app: Flask, smtp: Any) -> None:
    with SmtpMailer(_config(app, SMTP_TLS="maybe")) as mailer, pytest.raises(MailUnavailable, match="maybe"):
        mailer.send(_message())
    assert smtp.messages == []
