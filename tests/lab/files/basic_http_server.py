"""A web server behind HTTP Basic authentication, in clear text and over
TLS, for record_http_basic.sh: every path needs a user and password of
USERS (a JSON object user -> password); a wrong or missing one is answered
401 with a WWW-Authenticate challenge, a right one 200 with a page naming
the user.  POST /login takes an HTML form instead (fields username or user,
password or pass, urlencoded): 302 to /home when they are right, 200 with a
"wrong password" page when not.

    basic_http_server.py ADDR HTTP_PORT HTTPS_PORT CERT KEY USERS
"""
import base64
import http.server
import json
import socketserver
import ssl
import sys
import threading
import urllib.parse

ADDR, HTTP_PORT, HTTPS_PORT, CERT, KEY, USERS = sys.argv[1:7]
with open(USERS) as f:
    PASSWORDS = json.load(f)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def user(self):
        kind, _, value = (self.headers.get("Authorization") or "").partition(" ")
        if kind.lower() != "basic":
            return None
        user, _, password = base64.b64decode(value).decode().partition(":")
        return user if PASSWORDS.get(user) == password else None

    def do_GET(self):
        user = self.user()
        body = (f"hello {user}\n" if user else "who are you?\n").encode()
        self.send_response(200 if user else 401)
        if not user:
            self.send_header("WWW-Authenticate", 'Basic realm="lab"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


    def do_POST(self):
        size = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(size).decode())
        user = (form.get("username") or form.get("user") or [""])[0]
        password = (form.get("password") or form.get("pass") or [""])[0]
        ok = self.path == "/login" and PASSWORDS.get(user) == password
        body = b"" if ok else b"<p>wrong password</p>\n"
        self.send_response(302 if ok else 200)
        if ok:
            self.send_header("Location", "/home")
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    plain = Server((ADDR, int(HTTP_PORT)), Handler)
    tls = Server((ADDR, int(HTTPS_PORT)), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    for s in (plain, tls):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    threading.Event().wait()
