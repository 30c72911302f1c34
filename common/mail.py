"""Sending mail over SMTP (smtplib) with a verified TLS connection: invitations, reminders, alerts, reports.

One connection per batch (`with Mailer(config) as mail: mail.send(...)`). STARTTLS and implicit TLS
(SMTPS, port 465) both verify the server's certificate and host name against the system's trusted CAs
plus, when HEEDFUL_SMTP_CA names one, a private CA file (an internal relay with its own certificates).
A server that fails verification is refused: credentials and answers never go over an unverified link.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Literal

Security = Literal["none", "starttls", "ssl"]


class MailError(RuntimeError):
    """The mail server cannot be reached, cannot be trusted or refused us; the message says what to check."""


class RecipientRefused(RuntimeError):
    """The server refused this one message (bad address, mailbox full); others may still go."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "heedful@localhost"
    security: Security = "none"
    ca_file: Path | None = None
    timeout: float = 30.0


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """A client context that verifies certificate and host name; trusts `ca_file` besides the system CAs."""
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise MailError(f"cannot read the CA file {ca_file} (HEEDFUL_SMTP_CA): {exc}") from None
    return context


class Mailer:
    """An open, authenticated SMTP connection for a batch of messages."""

    def __init__(self, config: SmtpConfig | None) -> None:
        if config is None:
            raise MailError("HEEDFUL_SMTP_HOST is not set: configure the mail server to send mail")
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        c = self.config
        where = f"{c.host}:{c.port}"
        try:
            context = tls_context(c.ca_file) if c.security != "none" else None
            smtp: smtplib.SMTP
            if c.security == "ssl":
                smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            try:
                if c.security == "starttls":
                    smtp.starttls(context=context)
                if c.user:
                    smtp.login(c.user, c.password or "")
            except BaseException:
                smtp.close()
                raise
        except ssl.SSLCertVerificationError as exc:
            raise MailError(
                f"the mail server {where} presented a certificate that cannot be verified "
                f"({exc.verify_message}): if it is signed by a private CA, set HEEDFUL_SMTP_CA to that CA's file"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot send mail through {where}: {exc}") from None
        self._smtp = smtp
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, to: str, subject: str, body: str) -> None:
        """Send a plain-text message to one recipient."""
        self._send(self._message(to, subject, body), [to])

    def send_to_many(self, recipients: list[str], subject: str, body: str) -> None:
        """One message to all `recipients`, named in the envelope only: they do not see each other."""
        self._send(self._message(self.config.sender, subject, body), recipients)

    def _message(self, to: str, subject: str, body: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.config.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg.set_content(body)
        return msg

    def _send(self, msg: EmailMessage, to_addrs: list[str]) -> None:
        if self._smtp is None:
            raise RuntimeError("open the mailer first: `with Mailer(config) as mail: mail.send(...)`")
        try:
            self._smtp.send_message(msg, to_addrs=to_addrs)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
            raise RecipientRefused(str(exc)) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"the mail server dropped the connection: {exc}") from None
