#!/usr/bin/python3
"""servers.py — the small Python servers of the files-beyond-HTTP lab.

    servers.py ftp ADDR ROOT USER PASSWORD     FTP (pyftpdlib) on ADDR:21
    servers.py smtp ADDR SPOOL USER PASSWORD   SMTP (aiosmtpd) on ADDR:25, AUTH
                                               PLAIN/LOGIN without TLS

Run by record.sh inside its network namespace; they log to stderr and run
until killed.  Debian's python3-pyftpdlib and python3-aiosmtpd provide them
(tests/lab/files/install.sh).
"""
import os
import sys
import time


def ftp(addr, root, user, password):
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer
    auth = DummyAuthorizer()
    auth.add_user(user, password, root, perm="elradfmwMT")
    auth.add_anonymous(os.path.join(root, "pub"))
    handler = FTPHandler
    handler.authorizer = auth
    handler.passive_ports = range(30000, 30100)
    handler.permit_foreign_addresses = True
    FTPServer((addr, 21), handler).serve_forever()


def smtp(addr, spool, user, password):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    class Spool:
        n = 0

        async def handle_DATA(self, server, session, envelope):
            Spool.n += 1
            with open(os.path.join(spool, f"received-{Spool.n}.eml"), "wb") as f:
                f.write(envelope.original_content)
            return "250 OK queued as lab-%d" % Spool.n

    def check(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and data.login.decode() == user and \
            data.password.decode() == password
        return AuthResult(success=ok)

    c = Controller(Spool(), hostname=addr, port=25, authenticator=check,
                   auth_require_tls=False, server_hostname="mail.lab.example")
    c.start()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    {"ftp": ftp, "smtp": smtp}[sys.argv[1]](*sys.argv[2:])
