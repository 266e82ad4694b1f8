"""Decryption and HTTP/2 on a recording made now, with large files.

The committed recordings (tests/recordings/tls) keep every file at a few KB.
This test records the same sessions in 'full' mode (tests/lab/record_tls.sh:
a 1 MiB file in every session, 300 KB concurrent HTTP/2 downloads) into a
temporary folder, then runs the decryption and HTTP/2 unit tests on it
(PCAPCASE_TLS_RECORDINGS): every session decrypts byte-identical to tshark
and every served file comes back with its SHA-256.

Needs root (tcpdump on lo), nginx, curl, openssl, tcpdump, tshark, brotli,
nghttpd and nghttp; reported as skipped (exit 77) when any is missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.environ.get("SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD_DIR", os.path.join(SOURCE, "build"))
TOOLS = ["nginx", "curl", "openssl", "tcpdump", "tshark", "brotli", "nghttpd", "nghttp",
         "python3"]


def skip(why):
    print(f"test_tls_recorded_full: skipped: {why}")
    sys.exit(77)  # ctest's SKIP_RETURN_CODE


def main():
    if os.geteuid() != 0:
        skip("needs root to record on lo")
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        skip("not installed: " + " ".join(missing))
    units = [os.path.join(BUILD, t) for t in ("test_tls_decrypt", "test_http2")]
    if not all(os.path.exists(u) for u in units):
        skip("unit test binaries not built")
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(3):  # a busy machine can make tcpdump lose packets: record again
            rec = subprocess.run([os.path.join(SOURCE, "tests", "lab", "record_tls.sh"), tmp,
                                  "full"], capture_output=True, text=True, timeout=900)
            if rec.returncode == 0 or "tcpdump lost packets" not in rec.stderr:
                break
            print(f"record_tls.sh: tcpdump lost packets, recording again ({attempt + 1})")
        if rec.returncode != 0:
            print(rec.stderr[-3000:])
            print("FAIL test_tls_recorded_full: record_tls.sh full failed")
            print("test_tls_recorded_full: 0 passed, 1 failed")
            sys.exit(1)
        big = os.path.getsize(os.path.join(tmp, "tls13.pcap"))
        if big > 3 << 20:
            passed += 1
        else:
            failed += 1
            print(f"FAIL test_tls_recorded_full: tls13.pcap is only {big} bytes")
        env = dict(os.environ, PCAPCASE_TLS_RECORDINGS=tmp)
        for u in units:
            r = subprocess.run([u], capture_output=True, text=True, env=env, timeout=600)
            if r.returncode == 0:
                passed += 1
            else:
                failed += 1
                print(r.stdout[-4000:])
                print(f"FAIL test_tls_recorded_full: {os.path.basename(u)} on the full recording")
    print(f"test_tls_recorded_full: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
