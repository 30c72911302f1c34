"""common.mail against a real SMTP server (aiosmtpd) speaking STARTTLS or implicit TLS with a private CA.

The certificates are made here with the openssl command: a CA, and a server certificate for 127.0.0.1
signed by it. Verification must fail while only the system CAs are trusted, and pass once the CA file
is given (HEEDFUL_SMTP_CA).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from common.mail import Mailer, MailError, SmtpConfig, tls_context
from models.settings import ConfigError, load_settings
from tests.live import free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    (d / "ca.ext").write_text("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                              "subjectKeyIdentifier=hash\n")
    (d / "server.ext").write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,"
                                  "keyEncipherment\nextendedKeyUsage=serverAuth\n"
                                  "subjectAltName=IP:127.0.0.1,DNS:localhost\nsubjectKeyIdentifier=hash\n"
                                  "authorityKeyIdentifier=keyid,issuer\n")
    _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.csr",
             "-subj", "/CN=Heedful test private CA", cwd=d)
    _openssl("x509", "-req", "-in", "ca.csr", "-signkey", "ca.key", "-out", "ca.pem", "-days", "2",
             "-extfile", "ca.ext", cwd=d)
    _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=127.0.0.1", cwd=d)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "server.ext", cwd=d)
    return Pki(d / "ca.pem", d / "server.pem", d / "server.key")


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == b"s3cret"
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)


@pytest.fixture(params=["starttls", "ssl"])
def server(request: pytest.FixtureRequest, pki: Pki) -> Iterator[tuple[Inbox, SmtpConfig]]:
    """An SMTP server on 127.0.0.1 whose certificate is signed by the private CA; login only over TLS."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert, pki.key)
    inbox, port = Inbox(), free_port()
    # aiosmtpd's auth_require_tls looks at STARTTLS only; on an implicit-TLS port every byte is encrypted.
    tls: dict[str, Any] = ({"tls_context": context, "require_starttls": True, "auth_require_tls": True}
                           if request.param == "starttls" else {"ssl_context": context, "auth_require_tls": False})
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate,
                            server_hostname="127.0.0.1", **tls)
    controller.start()
    yield inbox, SmtpConfig(host="127.0.0.1", port=port, user="ops", password="s3cret",
                            sender="heedful@example.org", security=request.param, timeout=5)
    controller.stop()


def test_unverifiable_certificate_is_refused_before_anything_is_sent(
    server: tuple[Inbox, SmtpConfig],
) -> None:
    inbox, config = server
    with pytest.raises(MailError, match="cannot be verified.*HEEDFUL_SMTP_CA"):
        with Mailer(config) as mail:
            mail.send("ann@example.org", "Hello", "Body")
    assert inbox.received == [] and inbox.logins == []


def test_private_ca_is_trusted_and_mail_arrives(server: tuple[Inbox, SmtpConfig], pki: Pki) -> None:
    inbox, config = server
    trusted = SmtpConfig(**{**config.__dict__, "ca_file": pki.ca})
    with Mailer(trusted) as mail:
        mail.send("ann@example.org", "Hello", "First")
        mail.send_to_many(["bob@example.org", "cy@example.org"], "Alert", "Second")
    assert inbox.logins == ["ops"]
    (to_ann, first), (to_many, second) = inbox.received
    assert to_ann == ["ann@example.org"] and b"First" in first and b"To: ann@example.org" in first
    # Many recipients go in the envelope only: the headers name the sender, so nobody sees the others.
    assert to_many == ["bob@example.org", "cy@example.org"] and b"To: heedful@example.org" in second
    assert b"bob@" not in second


def test_the_ca_comes_from_heedful_smtp_ca(server: tuple[Inbox, SmtpConfig], pki: Pki, tmp_path: Path) -> None:
    inbox, config = server
    env = {"HEEDFUL_INSTANCE_PATH": str(tmp_path), "HEEDFUL_SMTP_HOST": config.host,
           "HEEDFUL_SMTP_PORT": str(config.port), "HEEDFUL_SMTP_USER": "ops", "HEEDFUL_SMTP_PASSWORD": "s3cret",
           "HEEDFUL_SMTP_" + ("SSL" if config.security == "ssl" else "STARTTLS"): "true"}
    with pytest.raises(MailError, match="cannot be verified"):
        Mailer(load_settings(env).smtp).__enter__()
    settings = load_settings({**env, "HEEDFUL_SMTP_CA": str(pki.ca)})
    with Mailer(settings.smtp) as mail:
        mail.send("ann@example.org", "Hello", "Body")
    assert [to for to, _ in inbox.received] == [["ann@example.org"]]


def test_a_missing_or_unreadable_ca_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HEEDFUL_SMTP_CA must name a readable file"):
        load_settings({"HEEDFUL_INSTANCE_PATH": str(tmp_path), "HEEDFUL_SMTP_CA": str(tmp_path / "nope.pem")})
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(MailError, match="cannot read the CA file"):
        tls_context(junk)


def test_starttls_and_ssl_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="choose one"):
        load_settings({"HEEDFUL_INSTANCE_PATH": str(tmp_path), "HEEDFUL_SMTP_STARTTLS": "1",
                       "HEEDFUL_SMTP_SSL": "1"})


def test_no_host_is_one_clear_error() -> None:
    with pytest.raises(MailError, match="HEEDFUL_SMTP_HOST is not set"):
        Mailer(None)
