"""A tiny HTTP CONNECT proxy, and the odd clients and servers that curl
cannot play, for tests/lab/record_connect.sh (recording CONNECT tunnels).

  connect_proxy.py proxy PORT       CONNECT HOST:PORT -> 127.0.0.1:PORT (any
                                    host), "403" for the host forbidden.test;
                                    several CONNECTs per connection until one
                                    is answered 200.  Before answering 200 it
                                    waits 0.2 s for the target to speak (an
                                    SMTP banner) and sends the 200 and those
                                    bytes in one segment.
  connect_proxy.py smtp PORT CERT KEY
                                    an SMTP server that takes one message,
                                    with STARTTLS (CERT, KEY: PEM files)
  connect_proxy.py echo PORT        echoes what it gets
  connect_proxy.py smtp-client PROXY SMTPPORT MESSAGEFILE [starttls]
                                    delivers MESSAGEFILE through the tunnel
                                    (after STARTTLS, SNI mail.pcapcase.test)
  connect_proxy.py refused-then-http PROXY HTTPPORT PATH OUTFILE
                                    CONNECT forbidden.test (403), then on the
                                    same connection CONNECT to HTTPPORT and
                                    GET PATH through it; the body to OUTFILE
  connect_proxy.py echo-client PROXY ECHOPORT
                                    64 bytes of no protocol through a tunnel

Everything listens on and connects to 127.0.0.1 only.
"""
import select
import socket
import ssl
import sys
import threading

SMTP_TLS = None  # the SMTP server's TLS context (smtp PORT CERT KEY)


def read_head(sock):
    """Bytes up to and including the first empty line."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)
        if not chunk:
            raise EOFError("connection closed in a header block")
        data += chunk
    return data


def relay(a, b):
    socks = [a, b]
    while True:
        ready, _, _ = select.select(socks, [], [], 30)
        if not ready:
            return
        for s in ready:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


def proxy_one(client):
    with client:
        while True:
            try:
                head = read_head(client).decode("latin-1")
            except EOFError:  # a readiness probe, or a client gone
                return
            method, authority = head.split(" ")[:2]
            host, port = authority.rsplit(":", 1)
            if method != "CONNECT" or host == "forbidden.test":
                body = b"proxy says no\n"
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
                               b"Content-Length: %d\r\n\r\n" % len(body) + body)
                continue
            upstream = socket.create_connection(("127.0.0.1", int(port)))
            with upstream:
                early = b""
                if select.select([upstream], [], [], 0.2)[0]:
                    early = upstream.recv(65536)
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n" + early)
                relay(client, upstream)
            return


def quietly(handler, conn):
    try:
        handler(conn)
    except OSError:  # a readiness probe that connected and left
        pass


def serve(port, handler):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=quietly, args=(handler, conn), daemon=True).start()


def smtp_one(conn):
    with conn:
        f = conn.makefile("rb")
        conn.sendall(b"220 mail.pcapcase.test ESMTP ready\r\n")
        while True:
            line = f.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                while f.readline() not in (b".\r\n", b""):
                    pass
                conn.sendall(b"250 2.0.0 queued as 4711\r\n")
            elif line.strip().upper() == b"STARTTLS":
                conn.sendall(b"220 2.0.0 ready to start TLS\r\n")
                conn = SMTP_TLS.wrap_socket(conn, server_side=True)
                f = conn.makefile("rb")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")


def echo_one(conn):
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            conn.sendall(data)


def tunnel(proxy, authority, sock=None):
    s = sock or socket.create_connection(("127.0.0.1", proxy))
    s.sendall(b"CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (authority, authority))
    return s, read_head(s)


def smtp_client(proxy, port, message_file, starttls=False):
    s, head = tunnel(proxy, b"mail.pcapcase.test:%d" % port)
    assert head.startswith(b"HTTP/1.1 200"), head
    f = s.makefile("rb")
    assert f.readline().startswith(b"220")
    if starttls:
        s.sendall(b"EHLO client.pcapcase.test\r\n")
        assert f.readline().startswith(b"250")
        s.sendall(b"STARTTLS\r\n")
        assert f.readline().startswith(b"220")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s, server_hostname="mail.pcapcase.test")
        f = s.makefile("rb")
    message = open(message_file, "rb").read()
    for line in [b"EHLO client.pcapcase.test", b"MAIL FROM:<alice@pcapcase.test>",
                 b"RCPT TO:<bob@pcapcase.test>", b"DATA"]:
        s.sendall(line + b"\r\n")
        assert f.readline()[:1] in b"23", line
    s.sendall(message + (b"" if message.endswith(b"\r\n") else b"\r\n") + b".\r\n")
    assert f.readline().startswith(b"250")
    s.sendall(b"QUIT\r\n")
    f.readline()
    s.close()


def refused_then_http(proxy, port, path, out):
    s, head = tunnel(proxy, b"forbidden.test:443")
    assert head.startswith(b"HTTP/1.1 403"), head
    assert s.recv(14) == b"proxy says no\n"
    s, head = tunnel(proxy, b"www.pcapcase.test:%d" % port, s)
    assert head.startswith(b"HTTP/1.1 200"), head
    s.sendall(b"GET %s HTTP/1.1\r\nHost: www.pcapcase.test\r\nConnection: close\r\n\r\n"
              % path.encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200"), head
    open(out, "wb").write(body)


def echo_client(proxy, port):
    s, head = tunnel(proxy, b"echo.pcapcase.test:%d" % port)
    assert head.startswith(b"HTTP/1.1 200"), head
    noise = bytes((i * 37 + 11) & 0xFF for i in range(64))
    s.sendall(noise)
    got = b""
    while len(got) < len(noise):
        got += s.recv(64)
    assert got == noise
    s.close()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "smtp":
        global SMTP_TLS
        SMTP_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        SMTP_TLS.load_cert_chain(args[1], args[2])
    if cmd in ("proxy", "smtp", "echo"):
        serve(int(args[0]), {"proxy": proxy_one, "smtp": smtp_one, "echo": echo_one}[cmd])
    elif cmd == "smtp-client":
        smtp_client(int(args[0]), int(args[1]), args[2], args[3:] == ["starttls"])
    elif cmd == "refused-then-http":
        refused_then_http(int(args[0]), int(args[1]), args[2], args[3])
    elif cmd == "echo-client":
        echo_client(int(args[0]), int(args[1]))
    else:
        sys.exit("connect_proxy.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
