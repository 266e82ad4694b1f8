"""Write failures (issue 23.6): a full disk, a folder without write
permission, a file where a folder should be, a folder where a file should
be.  Each ends with exit status 4 (not 3, "no usable input"), one line on
stderr naming the path and the system's reason, and the case as it was
before the run or marked INCOMPLETE - never half-updated without the marker.
Every writer is made to fail in turn: artifacts (writer thread), certificates,
logs, charts, case.json, report.html, report.xlsx; compare's outputs; carve.

The full-disk checks mount a small tmpfs (root only; skipped otherwise); the
permission checks run pcapcase as nobody when the tests run as root."""
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

T0 = 1700000000.0
CLI = bytes([10, 9, 0, 5])
WEB = bytes([198, 51, 100, 80])
TLS = bytes([198, 51, 100, 43])
BODY = bytes((i * 7 + i // 251) & 0xFF for i in range(300_000))  # bigger than the tmpfs
BODY_SHA = hashlib.sha256(BODY).hexdigest()
CERT = pcapgen.der_certificate(b"w.example", b"Write", [b"w.example"])
CERT_SHA = hashlib.sha256(CERT).hexdigest()


def build(path, body=BODY):
    req = b"GET /big.bin HTTP/1.1\r\nHost: w.example\r\n\r\n"
    resp = (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n" + body)
    frames = pcapgen.tcp_session(CLI, WEB, 41000, 80, req, resp, T0, mss=1400)
    frames += pcapgen.tcp_session(CLI, TLS, 41001, 443, pcapgen.tls_client_hello(b"w.example"),
                                  pcapgen.tls_server_flight(CERT), T0 + 5)
    pcapgen.write_pcap(path, frames)


def run(args, as_nobody=False):
    cmd = [z.PCAPCASE, *args]
    if as_nobody and os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def tree(d):
    """{relative path: sha256 or 'dir'} of everything under d."""
    out = {}
    for root, dirs, files in os.walk(d):
        for n in dirs:
            out[os.path.relpath(os.path.join(root, n), d)] = "dir"
        for n in files:
            p = os.path.join(root, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, d)] = hashlib.sha256(f.read()).hexdigest()
    return out


def one_line(c, r, want, what):
    """Exit 4 and stderr exactly one line: 'pcapcase: <want>'."""
    c.eq(r.returncode, 4, f"{what}: exit status ({r.stderr.strip()})")
    c.eq(r.stderr.splitlines(), [f"pcapcase: {want}"], f"{what}: the one line")


def output_is_a_file(c, d, cap):
    f = os.path.join(d, "not-a-folder")
    with open(f, "w") as fh:
        fh.write("keep me\n")
    for cmd in (["analyze"], ["carve"], ["compare"]):
        args = [*cmd, "-q", "-o", f, cap] + ([cap] if cmd == ["compare"] else [])
        r = run(args)
        state = "nothing written"
        where = f if cmd != ["compare"] else os.path.join(f, "logs")
        one_line(c, r, f"{where}: cannot create folder: Not a directory ({state})",
                 f"{cmd[0]} -o FILE")
        c.eq(open(f).read(), "keep me\n", f"{cmd[0]} -o FILE: the file is untouched")


def blocked(c, d, cap, rel, cmd="analyze"):
    """A folder where file rel should go: that writer fails."""
    out = os.path.join(d, f"blocked-{cmd}-{rel.replace('/', '_')}")
    args = [cmd, "-q", "-o", out, cap] + ([cap] if cmd == "compare" else [])
    r = run(args)
    c.eq(r.returncode, 0, f"{rel}: first run ({r.stderr.strip()})")
    os.remove(os.path.join(out, rel))
    os.mkdir(os.path.join(out, rel))
    r = run(args)
    one_line(c, r, f"{out}/{rel}: cannot write: Is a directory (folder marked INCOMPLETE)"
             if cmd == "compare" else
             f"{out}/{rel}: cannot write: Is a directory (case marked INCOMPLETE)",
             f"{cmd}: {rel} blocked")
    c.check(os.path.exists(os.path.join(out, "INCOMPLETE")), f"{cmd}: {rel} blocked: marked")


def read_only(c, d, cap):
    """The whole case, or only artifacts/ or certs/, not writable."""
    os.chmod(d, 0o755)
    os.chmod(cap, 0o644)
    out = os.path.join(d, "ro")
    r = run(["analyze", "-q", "-o", out, cap])
    c.eq(r.returncode, 0, f"read-only: first run ({r.stderr.strip()})")
    before = tree(out)
    for root, dirs, files in os.walk(out):
        os.chmod(root, 0o555)
    r = run(["analyze", "-q", "-o", out, cap], as_nobody=True)
    one_line(c, r, f"{out}/INCOMPLETE: cannot write: Permission denied (the case was not changed)",
             "read-only case")
    c.eq(tree(out), before, "read-only case: not changed")
    # only artifacts/ (then only certs/) read-only: the writer thread's and the
    # certificate saver's failures end the run before the logs are touched
    for sub, obj in (("artifacts", BODY_SHA), ("certs", CERT_SHA + ".der")):
        fresh = os.path.join(d, f"ro-{sub}")
        os.makedirs(os.path.join(fresh, sub))
        if os.geteuid() == 0:
            os.chown(fresh, 65534, 65534)
        os.chmod(os.path.join(fresh, sub), 0o555)
        r = run(["analyze", "-q", "-o", fresh, cap], as_nobody=True)
        one_line(c, r, f"{fresh}/{sub}/{obj}: cannot write: Permission denied (logs and reports "
                 "not updated; case marked INCOMPLETE)", f"read-only {sub}/")
        c.check(os.path.exists(os.path.join(fresh, "INCOMPLETE")), f"read-only {sub}/: marked")
        c.check(not os.path.exists(os.path.join(fresh, "logs", "conn.ndjson")),
                f"read-only {sub}/: no logs written")


def mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path],
                       capture_output=True, text=True)
    return r.returncode == 0


def full_disk(c, d, cap):
    mnt = os.path.join(d, "small")
    if os.geteuid() != 0 or not mount_tmpfs(mnt, "200k"):
        print("full disk: cannot mount a tmpfs here (needs root); skipped")
        return
    try:
        for cmd in ("analyze", "carve"):
            out = os.path.join(mnt, cmd)
            r = run([cmd, "-q", "-o", out, cap])
            one_line(c, r, f"{out}/artifacts/{BODY_SHA}: cannot write: No space left on device "
                     "(logs and reports not updated; case marked INCOMPLETE)", f"full disk: {cmd}")
            c.check(os.path.exists(os.path.join(out, "INCOMPLETE")), f"full disk: {cmd}: marked")
            c.eq(os.listdir(os.path.join(out, "artifacts")), [], f"full disk: {cmd}: no partial file")
            shutil.rmtree(out)
        # compare: fill the disk but for a few KB, so its first output file fails
        filler = os.path.join(mnt, "filler")
        st = os.statvfs(mnt)
        with open(filler, "wb") as f:
            f.write(b"\0" * (st.f_bavail * st.f_frsize - 8192))
        out = os.path.join(mnt, "cmp")
        r = run(["compare", "-q", "-o", out, cap, cap])
        c.eq(r.returncode, 4, f"full disk: compare exit status ({r.stderr.strip()})")
        c.check(len(r.stderr.splitlines()) == 1 and r.stderr.startswith(f"pcapcase: {out}/") and
                ": cannot write: No space left on device (" in r.stderr,
                f"full disk: compare: one line naming the file: {r.stderr!r}")
        c.check(os.path.exists(os.path.join(out, "INCOMPLETE")) or "(nothing written)" in r.stderr
                or "(the folder was not changed)" in r.stderr, "full disk: compare: marked")
    finally:
        subprocess.run(["umount", mnt])


def main():
    c = z.Checker("write_failures")
    with tempfile.TemporaryDirectory() as d:
        cap = os.path.join(d, "write.pcap")
        build(cap)
        output_is_a_file(c, d, cap)
        for rel in ("logs/http.ndjson", "logs/x509.ndjson", "charts/bandwidth.png", "case.json",
                    "report.html", "report.xlsx"):
            blocked(c, d, cap, rel)
        blocked(c, d, cap, "logs/http.ndjson", "carve")
        for rel in ("compare.json", "logs/flows.ndjson", "charts/one_way_delay.png", "report.html",
                    "report.xlsx"):
            blocked(c, d, cap, rel, "compare")
        read_only(c, d, cap)
        full_disk(c, d, cap)
    c.done()


if __name__ == "__main__":
    main()
