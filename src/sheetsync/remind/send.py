"""Sending through the cohort's ``[smtp]`` server with ``smtplib``.

``SmtpTransport`` is the transport ``remind`` takes as a parameter: it opens one
connection for a batch, and tells a refusal of one message (the batch goes on) from a lost
connection (the batch stops; what was not sent is sent by the next run). TLS is verified
always: a server with a self-signed certificate is trusted through ``[smtp] cafile``.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from sheetsync.cohort.model import SmtpSettings
from sheetsync.errors import NotSent, RemindError

PASSWORD_VARIABLE = "SHEETSYNC_SMTP_PASSWORD"




class Transport(Protocol):
    def open(self) -> None: ...

    def send(self, msg: EmailMessage, to: list[str]) -> dict[str, str]:
        """Send; the recipients the server refused (address -> reply), or raise NotSent."""
        ...

    def close(self) -> None: ...


class SmtpTransport:
    def __init__(self, settings: SmtpSettings, folder: Path,
                 password: str | None = None) -> None:
        self.settings = settings
        self.folder = folder
        self.password = password if password is not None else os.environ.get(PASSWORD_VARIABLE)
        if settings.username and not self.password:
            raise RemindError(f"[smtp] username is {settings.username!r} but "
                              f"{PASSWORD_VARIABLE} is not set: set it in the environment "
                              "(the password is never written in cohort.toml)")
        self.smtp: smtplib.SMTP | None = None

    def tls_context(self) -> ssl.SSLContext:
        cafile = self.settings.cafile
        if cafile and not (self.folder / cafile).is_file():
            raise RemindError(f"[smtp] cafile: {self.folder / cafile} is not a file")
        return ssl.create_default_context(cafile=str(self.folder / cafile) if cafile else None)

    def open(self) -> None:
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            self.smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            self.smtp.ehlo()
            if s.starttls:
                if not self.smtp.has_extn("starttls"):
                    raise NotSent(f"{where} does not offer STARTTLS; set [smtp] starttls = "
                                  "false only for a server on this machine", True)
                self.smtp.starttls(context=self.tls_context())
                self.smtp.ehlo()
            if s.username:
                self.smtp.login(s.username, self.password or "")
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise NotSent(f"{where}: its certificate is not trusted ({exc.verify_message}); "
                          "if it is your own server's, give its CA certificate as "
                          "[smtp] cafile", True) from None
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise NotSent(f"{where} refused the login of {s.username!r} ({_reply(exc)}); "
                          f"check [smtp] username and {PASSWORD_VARIABLE}", True) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise NotSent(f"cannot connect to {where} ({_why(exc)})", True) from None

    def send(self, msg: EmailMessage, to: list[str]) -> dict[str, str]:
        assert self.smtp is not None
        try:
            refused = self.smtp.send_message(msg, to_addrs=to)
        except smtplib.SMTPRecipientsRefused as exc:
            why = "; ".join(f"{a}: {_reply_of(*r)}" for a, r in exc.recipients.items())
            raise NotSent(f"every recipient was refused ({why})") from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise NotSent(f"refused by the server ({_reply(exc)})") from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise NotSent(f"the connection was lost ({_why(exc)})", True) from None
        return {a: _reply_of(*r) for a, r in refused.items()}

    def close(self) -> None:
        if self.smtp is None:
            return
        smtp, self.smtp = self.smtp, None
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _reply_of(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _reply_of(exc.smtp_code, exc.smtp_error)


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or str(exc).endswith("timed out"):
        return "timed out"  # smtplib says "Connection unexpectedly closed: timed out"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    return str(exc) or type(exc).__name__
