"""Plain SMTP (smtplib): one connection per batch, STARTTLS and login when configured."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType

from models.settings import Settings


class MailError(RuntimeError):
    """The mail server cannot be reached or refused us; the message says which and what to check."""


class RecipientRefused(RuntimeError):
    """The server refused this one message (bad address, mailbox full); others may still go."""


class SmtpMailer:
    def __init__(self, settings: Settings, timeout: float = 30.0) -> None:
        if not settings.smtp_host:
            raise MailError("HEEDFUL_SMTP_HOST is not set: configure the mail server to send invitations")
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=self.timeout)
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot send mail through {s.smtp_host}:{s.smtp_port}: {exc}") from None
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
        assert self._smtp is not None, "use the mailer as a context manager"
        msg = EmailMessage()
        msg["From"] = self.settings.smtp_from
        msg["To"] = to
        msg["Subject"] = subject
        msg.set_content(body)
        try:
            self._smtp.send_message(msg)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
            raise RecipientRefused(str(exc)) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"the mail server dropped the connection: {exc}") from None
