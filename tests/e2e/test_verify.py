"""pcapcase verify (issue 24.5): analyze writes CASE/manifest.txt (SHA-256,
size and path of every capture and every artifact and certificate); verify
re-hashes them and exits 1 naming what changed, went missing or was added.
Checked on a case built from a capture of our own that carries an HTTP file
(the evasions test's builder): a changed byte in an artifact, a changed
capture, a missing artifact, an added file, a moved capture (not a failure),
and the report's Method section saying how to verify."""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import test_http_evasions as ev  # noqa: E402
import zeekcmp as z  # noqa: E402


def verify(case):
    r = subprocess.run([z.PCAPCASE, "verify", case], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def main():
    c = z.Checker("verify")
    with tempfile.TemporaryDirectory() as d:
        pcap = os.path.join(d, "delivery.pcap")
        ev.build(pcap, ev.resp(ev.CL, ev.PAYLOAD), 40123)
        case = os.path.join(d, "case")
        rc, err = z.analyze([pcap], case)
        c.eq(rc, 0, f"analyze: {err}")
        lines = [l.split("  ") for l in open(os.path.join(case, "manifest.txt"))
                 if not l.startswith("#")]
        want_cap = [hashlib.sha256(open(pcap, "rb").read()).hexdigest(),
                    str(os.path.getsize(pcap)), os.path.realpath(pcap) + "\n"]
        c.eq(lines[0], want_cap, "manifest: the capture's SHA-256, size, absolute path")
        art = os.path.join(case, "artifacts", ev.SHA)
        c.check([ev.SHA, str(len(ev.PAYLOAD)), f"artifacts/{ev.SHA}\n"] in lines,
                "manifest: the carved file's line")
        rc, out, _ = verify(case)
        c.eq(rc, 0, f"verify of an untouched case: {out}")
        c.check(out.startswith("OK: "), f"verify says OK: {out}")

        # one byte of the artifact changed
        data = bytearray(open(art, "rb").read())
        data[100] ^= 1
        open(art, "wb").write(data)
        rc, out, _ = verify(case)
        c.eq(rc, 1, "a changed artifact: exit 1")
        c.check(f"CHANGED  artifacts/{ev.SHA}" in out, f"names the changed artifact: {out}")
        data[100] ^= 1
        open(art, "wb").write(data)
        c.eq(verify(case)[0], 0, "restored: exit 0")

        # the capture changed
        cap = bytearray(open(pcap, "rb").read())
        cap[-1] ^= 0xff
        open(pcap, "wb").write(cap)
        rc, out, _ = verify(case)
        c.eq(rc, 1, "a changed capture: exit 1")
        c.check(f"CHANGED  {os.path.realpath(pcap)}" in out, f"names the capture: {out}")
        cap[-1] ^= 0xff
        open(pcap, "wb").write(cap)

        # an artifact gone, a file added
        shutil.move(art, os.path.join(d, "moved"))
        open(os.path.join(case, "artifacts", "planted.exe"), "wb").write(b"MZ")
        rc, out, _ = verify(case)
        c.eq(rc, 1, "a missing artifact: exit 1")
        c.check(f"MISSING  artifacts/{ev.SHA}" in out, f"names the missing artifact: {out}")
        c.check("UNLISTED  artifacts/planted.exe" in out, f"names the added file: {out}")
        shutil.move(os.path.join(d, "moved"), art)
        os.remove(os.path.join(case, "artifacts", "planted.exe"))

        # Analysed again into the same folder: the artifact already there is
        # kept, not rewritten (its name says what it is), so the manifest must
        # hash it as it is on disk, not take the hash from its name (which it
        # may for files the run itself wrote: write/written.h).
        data[100] ^= 1
        open(art, "wb").write(data)
        rc, err = z.analyze([pcap], case)
        c.eq(rc, 0, f"analyze again: {err}")
        lines = [l.split("  ") for l in open(os.path.join(case, "manifest.txt"))
                 if not l.startswith("#")]
        now = hashlib.sha256(bytes(data)).hexdigest()
        c.check([now, str(len(data)), f"artifacts/{ev.SHA}\n"] in lines,
                f"a kept artifact changed before the run: its real SHA-256 {now} listed: {lines}")
        data[100] ^= 1
        open(art, "wb").write(data)
        shutil.rmtree(case)
        rc, err = z.analyze([pcap], case)
        c.eq(rc, 0, f"analyze into a new folder: {err}")
        c.eq(verify(case)[0], 0, "a new case's manifest (hashes taken from names) verifies")

        # the capture moved away: not checked, not a failure
        shutil.move(pcap, pcap + ".elsewhere")
        rc, out, _ = verify(case)
        c.eq(rc, 0, f"a moved capture is not a failure: {out}")
        c.check("NOT CHECKED" in out, "says the capture was not checked")

        rc, _, err = verify(os.path.join(d, "nowhere"))
        c.eq(rc, 3, "no manifest: exit 3")
        c.check("manifest.txt" in err and len(err.strip().splitlines()) == 1,
                f"one line naming the manifest: {err}")
        report = open(os.path.join(case, "report.html")).read()
        c.check("pcapcase verify CASE" in report, "the report's Method section says how to verify")
    c.done()


if __name__ == "__main__":
    main()
