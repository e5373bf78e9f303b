#!/usr/bin/python3
"""smtp_sink.py - a real SMTP server for the tests (aiosmtpd, Debian python3-aiosmtpd).

Accepts every message and saves it in DIR as NNNN.json: the envelope (mail_from, rcpt_tos),
the headers as sent, the Subject decoded (RFC 2047), the text/plain body decoded, and the
raw message. A file appears whole (written aside, then renamed), so a reader never sees half.

    /usr/bin/python3 tests/lib/smtp_sink.py --port PORT --dir DIR [--tls CERT KEY]
        [--auth USER:PASSWORD]

With --tls the server offers STARTTLS (and requires it before MAIL); with --auth it
requires AUTH (PLAIN or LOGIN, only after STARTTLS) with that user and password, and
records the user in "auth_user". Prints "smtp-sink
listening on PORT" on stdout when ready; stops on SIGTERM or SIGINT.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, directory):
        self.dir = directory
        self.n = len([f for f in os.listdir(directory) if f.endswith('.json')])

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=('plain',))
        rec = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'tls': bool(session.ssl),
            'auth_user': session.auth_data if session.authenticated else None,
            'headers': {k: str(v) for k, v in msg.items()},
            'raw_headers': raw.split(b'\r\n\r\n', 1)[0].decode('ascii', 'replace'),
            'subject': str(msg['Subject']),
            'content_type': msg.get_content_type(),
            'charset': msg.get_content_charset(),
            'body': body.get_content() if body is not None else None,
        }
        self.n += 1
        path = os.path.join(self.dir, '%04d.json' % self.n)
        with open(path + '.tmp', 'w', encoding='utf-8') as f:
            json.dump(rec, f, ensure_ascii=False)
        os.rename(path + '.tmp', path)
        return '250 Message accepted for delivery'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--tls', nargs=2, metavar=('CERT', 'KEY'))
    ap.add_argument('--auth')
    a = ap.parse_args()
    kw = {}
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        kw = {'tls_context': ctx, 'require_starttls': True}
    if a.auth:
        user, password = a.auth.split(':', 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False, auth_data=user if ok else None)
        kw.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)
    ctl = Controller(Saver(a.dir), hostname='127.0.0.1', port=a.port, **kw)
    ctl.start()
    print('smtp-sink listening on %d' % a.port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    loop.run_until_complete(stop.wait())
    ctl.stop()
    sys.exit(0)


if __name__ == '__main__':
    main()
