"""A real SMTP server for the mail tests (Debian's python3-aiosmtpd).

Usage: smtp_server.py MODE PORT SPOOL CERT KEY [USER PASSWORD]
MODE is plain, starttls (STARTTLS required before anything else) or tls (implicit TLS).
Each message received is written to SPOOL as NNNN.eml, headed by the envelope and whether the
session logged in. Prints "ready" once it accepts connections; stops when stdin closes.
"""

import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

mode, port, spool, cert, key = sys.argv[1:6]
user, password = (sys.argv[6], sys.argv[7]) if len(sys.argv) > 7 else (None, None)


class Spool:
    async def handle_DATA(self, server, session, envelope):
        n = len([f for f in os.listdir(spool) if f.endswith(".eml")])
        path = os.path.join(spool, f"{n:04d}.eml")
        head = (
            f"X-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n"
            f"X-Logged-In: {bool(session.authenticated)}\r\n"
        ).encode()
        with open(path + ".part", "wb") as f:
            f.write(head + (envelope.original_content or envelope.content))
        os.rename(path + ".part", path)
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    if (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == user
        and auth_data.password.decode() == password
    ):
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
options = dict(hostname="127.0.0.1", port=int(port), ready_timeout=10)
if user:
    options.update(
        authenticator=authenticate,
        auth_required=True,
        # aiosmtpd knows a session is encrypted only after STARTTLS: over implicit TLS it
        # would offer no AUTH at all if told to require TLS for it.
        auth_require_tls=(mode == "starttls"),
    )
if mode == "starttls":
    options.update(tls_context=context, require_starttls=True)
elif mode == "tls":
    options.update(ssl_context=context)

controller = Controller(Spool(), **options)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
