"""Send composed digests over SMTP (``KIEMTRA_SMTP_*``), one connection per delivery round."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from flask import Flask

from exports.digest import Digest
from models.base import utcnow

log = logging.getLogger("kiemtra.reminders")


class MessageRefused(Exception):
    """The server refused this one message (the recipient, the sender or the content)."""


class MailUnavailable(Exception):
    """The server cannot be reached or dropped the connection: stop the round, try later."""


def email_enabled(app: Flask) -> bool:
    """Tell whether SMTP is configured; log once per application that e-mail is off when it is not."""
    if app.config.get("SMTP_HOST"):
        return True
    if not app.extensions.get("kiemtra_email_off_logged"):
        app.extensions["kiemtra_email_off_logged"] = True
        log.warning(
            "E-mail is off: KIEMTRA_SMTP_HOST is not set. Notifications stay in the in-app inbox "
            "and are e-mailed once SMTP is configured."
        )
    return False


def build_message(config: dict[str, Any], to_name: str, to_address: str, digest: Digest) -> Message:
    """Wrap a digest in a multipart/alternative message with the headers of an automatic mail;
    an address that cannot be written counts as refused.

    Built with the ``compat32`` API on purpose: the modern policy's folding of long non-ASCII subjects
    drops the space between two encoded words on Python 3.11 ("1 quá hạn" arrives as "1quá hạn").
    """
    try:
        Address(to_name, addr_spec=to_address)
    except (ValueError, TypeError) as error:  # email's header defects are ValueErrors
        raise MessageRefused(f"invalid address {to_address!r}: {error}") from error
    sender = config["SMTP_SENDER"]
    message = MIMEMultipart("alternative")
    # typeshed types the value as str; the compat32 policy of MIMEMultipart takes a Header as documented.
    message["Subject"] = Header(digest.subject, "utf-8")  # type: ignore[assignment]
    message["From"] = formataddr(("kiemtra", sender))
    message["To"] = formataddr((to_name, to_address), charset="utf-8")
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "kiemtra.invalid")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message["Content-Language"] = digest.language
    message.attach(MIMEText(digest.text, "plain", "utf-8"))
    message.attach(MIMEText(digest.html.decode("utf-8"), "html", "utf-8"))
    return message


class SmtpMailer:
    """An SMTP session opened on first use and closed at the end of the ``with`` block."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        connection = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=30)
        if config.get("SMTP_STARTTLS"):
            connection.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            connection.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        return connection

    def send(self, message: Message) -> None:
        """Send one message; raise MessageRefused or MailUnavailable when it did not go."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            refused = self.connection.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise MessageRefused(str(error)) from error
        except smtplib.SMTPAuthenticationError as error:
            raise MailUnavailable(f"authentication refused: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            self.connection = None
            raise MailUnavailable(f"{type(error).__name__}: {error}") from error
        if refused:
            raise MessageRefused(str(refused))
