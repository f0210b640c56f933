#!/usr/bin/env python3
"""Test SMTP server for the Frontdesk SMTP client's integration tests.

Runs aiosmtpd on 127.0.0.1 in one of three modes:
  plain     no TLS, no AUTH
  starttls  STARTTLS required before MAIL, AUTH (PLAIN, LOGIN) required
  tls       implicit TLS (SMTPS), AUTH (PLAIN, LOGIN) required

Every accepted message is written atomically as <outdir>/<uuid>.json with the
envelope, the raw content and the parts parsed by Python's email package.
Recipients given by --reject-permanent / --reject-transient are refused with
550 / 451. Prints "READY <port>" once listening; stops on SIGTERM/SIGINT.
"""
import argparse
import logging
import email
import email.policy
import json
import os
import signal
import ssl
import sys
import threading
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, outdir, reject_permanent, reject_transient):
        self.outdir = outdir
        self.reject_permanent = {a.lower() for a in reject_permanent}
        self.reject_transient = {a.lower() for a in reject_transient}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject_permanent:
            return "550 5.1.1 Mailbox unavailable"
        if address.lower() in self.reject_transient:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "authenticated": bool(session.authenticated),
            "tls": server._tls_protocol is not None or server.transport.get_extra_info("sslcontext") is not None,
            "raw": raw.decode("utf-8", errors="replace"),
        }
        record.update(parse(raw))
        name = uuid.uuid4().hex
        tmp = os.path.join(self.outdir, "." + name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
        os.replace(tmp, os.path.join(self.outdir, name + ".json"))
        return "250 Message accepted"


def parse(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return {
        "subject": str(msg["Subject"]) if msg["Subject"] is not None else None,
        "from": str(msg["From"]) if msg["From"] is not None else None,
        "to": str(msg["To"]) if msg["To"] is not None else None,
        "message_id": str(msg["Message-ID"]) if msg["Message-ID"] is not None else None,
        "date": str(msg["Date"]) if msg["Date"] is not None else None,
        "content_type": msg.get_content_type(),
        "text": text.get_content() if text is not None else None,
        "html": html.get_content() if html is not None else None,
        "defects": [type(d).__name__ for d in msg.defects],
    }


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        # handled=False: let aiosmtpd send its standard "535 5.7.8" on failure.
        return AuthResult(success=ok, handled=False)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=["plain", "starttls", "tls"], default="plain")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--outdir", required=True)
    p.add_argument("--cert", help="server certificate PEM (starttls/tls)")
    p.add_argument("--key", help="server key PEM (starttls/tls)")
    p.add_argument("--user", default="frontdesk")
    p.add_argument("--password", default="s3cret-pass")
    p.add_argument("--reject-permanent", action="append", default=[])
    p.add_argument("--reject-transient", action="append", default=[])
    args = p.parse_args()
    logging.basicConfig(level=getattr(logging, os.environ.get("SMTP_TEST_LOGLEVEL", "WARNING")), stream=sys.stderr)

    os.makedirs(args.outdir, exist_ok=True)
    handler = Handler(args.outdir, args.reject_permanent, args.reject_transient)
    kwargs = dict(hostname="127.0.0.1", port=args.port, server_hostname="localhost", ready_timeout=10)
    if args.mode != "plain":
        if not (args.cert and args.key):
            p.error("--cert and --key are required for " + args.mode)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        kwargs.update(
            authenticator=Authenticator(args.user, args.password),
            auth_required=True,
            # aiosmtpd only counts STARTTLS as TLS for this check; with implicit
            # TLS the whole connection is encrypted anyway.
            auth_require_tls=(args.mode == "starttls"),
        )
        if args.mode == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True)
        else:
            kwargs.update(ssl_context=ctx)
    controller = Controller(handler, **kwargs)
    controller.start()
    print(f"READY {args.port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
