#!/usr/bin/env python3
"""ntlm_http_server.py — an HTTP/1.1 server (keep-alive) that asks for NTLM,
for record_ntlm_http.sh.

    ntlm_http_server.py ADDR PORT USERS_JSON

A request for /… is answered 401 "WWW-Authenticate: NTLM" until its
connection logs in; a request in absolute form (GET http://host/…, as to a
proxy) 407 "Proxy-Authenticate: NTLM" and "Basic" the same way.  The
CHALLENGE carries ntlm_lab.SERVER_CHALLENGE; an AUTHENTICATE is checked
(NTLMv2) against USERS_JSON's {"user": "password"}, as is a Basic login to
the proxy.  A recording aid, not a server.  Runs until killed."""
import base64
import http.server
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ntlm_lab  # noqa: E402

ADDR, PORT, USERS = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3]))
BODY = b"the page behind the login\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, code, headers=(), body=b""):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        proxy = self.path.startswith("http://")
        asked = "Proxy-Authenticate" if proxy else "WWW-Authenticate"
        refused = 407 if proxy else 401
        value = self.headers.get("Proxy-Authorization" if proxy else "Authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme == "Basic" and proxy:
            user, _, password = base64.b64decode(token).decode().partition(":")
            ok = USERS.get(user) == password
            return self.answer(200 if ok else refused, [] if ok else [(asked, 'Basic realm="lab"')],
                               BODY if ok else b"")
        if scheme == "NTLM":
            m = base64.b64decode(token)
            if ntlm_lab.message_type(m) == 1:
                chal = base64.b64encode(ntlm_lab.challenge_message()).decode()
                return self.answer(refused, [(asked, "NTLM " + chal)])
            if ntlm_lab.message_type(m) == 3:
                user, domain, _, _, nt = ntlm_lab.authenticate_fields(m)
                ok = user in USERS and ntlm_lab.ntlmv2_ok(user, domain, nt, USERS[user])
                return self.answer(200 if ok else refused, [] if ok else [(asked, "NTLM")],
                                   BODY if ok else b"")
        offers = [(asked, "NTLM")] + ([(asked, 'Basic realm="lab"')] if proxy else [])
        return self.answer(refused, offers)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer((ADDR, PORT), Handler).serve_forever()
