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


TLS_MODES = ("starttls", "ssl", "none")


def tls_mode(config: dict[str, Any]) -> str:
    """How the connection to the SMTP server is encrypted: KIEMTRA_SMTP_TLS, else the older
    KIEMTRA_SMTP_STARTTLS switch (starttls when on, none when off)."""
    mode = str(config.get("SMTP_TLS") or ("starttls" if config.get("SMTP_STARTTLS") else "none")).lower()
    if mode not in TLS_MODES:
        raise MailUnavailable(f"KIEMTRA_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {mode!r}")
    return mode


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
        mode = tls_mode(config)
        if config.get("SMTP_USERNAME") and mode == "none" and not config.get("SMTP_ALLOW_PLAINTEXT_AUTH"):
            # A password sent in clear text can be read by anyone on the way to the mail server.
            raise MailUnavailable(
                "refusing to send the SMTP password without TLS: set KIEMTRA_SMTP_TLS=starttls or ssl "
                "(or KIEMTRA_SMTP_ALLOW_PLAINTEXT_AUTH=1 on a trusted network)"
            )
        host, port = config["SMTP_HOST"], int(config["SMTP_PORT"])
        if mode == "ssl":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=30, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(host, port, timeout=30)
        try:
            if mode == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USERNAME"):
                connection.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        except BaseException:
            connection.close()  # no half-open session left behind (the round is retried later)
            raise
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
