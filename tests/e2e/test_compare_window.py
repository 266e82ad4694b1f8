"""compare: matching within a time window, not over whole captures.

The captures are built here because each case needs timing no recording
gives on demand.  A client (A's side, TTL 64 at A) and a server (B's side,
TTL 63 at A after one router) exchange UDP datagrams; B sees each one 1 ms
after A (client to server) or 1 ms before (server to client).

- A few client datagrams held 6 s in a queue: matched with the default 10 s
  window (max delay 6 s), lost between the points and seen only at the far
  point with --window 2, each listed in unmatched.ndjson by frame.
- B's clock 3 hours ahead: the probe of the first packets finds the offset,
  everything matches, and the estimate is within a millisecond.
- B started late (A holds 101 000 datagrams before B's first) and its clock
  is an hour ahead: the probe of A's start finds nothing at B, the probe of
  B's start against A does.
- A connection quiet for longer than the idle time (300 s) ends; its later
  packets make a second row.
- The IP ID wraps and a datagram equal in every matched field comes again
  100 s later: each copy is matched within its window, not with the other.
- 5000 samples in one connection: past the exact limit the quantiles come
  from a histogram, within 0.1 % of the true ones; min and max stay exact.
- --window outside 0.001..86400 seconds is a usage error."""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402
from test_compare import compare  # noqa: E402

CLI, SRV = bytes([10, 9, 0, 2]), bytes([198, 51, 100, 9])
T0 = 1700000000.0

c = z.Checker("compare_window")
check = c.check


def exchange(n, t0, sport=40000, held=(), held_for=6.0, delay=0.001, delays=None):
    """n client->server and n server->client datagrams; returns (a, b) frame
    lists, time ordered.  Client datagrams whose index is in `held` reach B
    held_for seconds late; delays[i] overrides the one-way delay of client
    datagram i."""
    a, b = [], []
    for i in range(n):
        t = t0 + i * 0.01
        pl = struct.pack("!I", i) + b"x" * 20
        d = delays[i] if delays else delay
        up, down = (i * 2) & 0xFFFF, (i * 2 + 1) & 0xFFFF  # IP IDs
        a.append((t, pcapgen.udp_frame(CLI, SRV, sport, 53, pl, ttl=64, ipid=up)))
        b.append((t + d + (held_for if i in held else 0),
                  pcapgen.udp_frame(CLI, SRV, sport, 53, pl, ttl=63, ipid=up)))
        t2 = t + 0.005
        b.append((t2, pcapgen.udp_frame(SRV, CLI, 53, sport, pl, ttl=64, ipid=down)))
        a.append((t2 + delay, pcapgen.udp_frame(SRV, CLI, 53, sport, pl, ttl=63, ipid=down)))
    a.sort(key=lambda x: x[0])
    b.sort(key=lambda x: x[0])
    return a, b


def shifted(frames, by):
    return [(t + by, f) for t, f in frames]


def run(d, name, a, b, extra=()):
    pa, pb = os.path.join(d, name + "-a.pcap"), os.path.join(d, name + "-b.pcap")
    pcapgen.write_pcap(pa, a)
    pcapgen.write_pcap(pb, b)
    out = os.path.join(d, name)
    rc, j = compare(pa, pb, out, extra)
    check(rc == 0, "%s: exit %d" % (name, rc))
    return j, out


def rows(out, log):
    return z.read_ndjson(os.path.join(out, "logs", log))


def main():
    with tempfile.TemporaryDirectory() as d:
        held = {100, 500, 900}
        a, b = exchange(1000, T0, held=held)
        j, _ = run(d, "held10", a, b)
        ab = j["a_to_b"]
        check(ab["matched"] == 1000 and ab["lost_between_points"] == 0,
              "10 s window: all 1000 matched (%s)" % ab)
        check(abs(ab["one_way_delay"]["max"] - 6.001) < 0.001,
              "10 s window: max delay 6.001 s (%s)" % ab["one_way_delay"])
        check(j["matching"]["window_seconds"] == 10, "default window 10 s")
        j, out = run(d, "held2", a, b, ("--window", "2"))
        ab = j["a_to_b"]
        check(ab["lost_between_points"] == 3 and ab["only_at_far_point"] == 3,
              "2 s window: 3 lost, 3 only at the far point (%s)" % ab)
        check(j["b_to_a"]["lost_between_points"] == 0, "2 s window: nothing lost B->A")
        um = rows(out, "unmatched.ndjson")
        # A's frames: client datagram i is A frame 2i+1 (each is followed by a reply)
        lost = sorted(r["frame"] for r in um if r["kind"] == "lost_between_points")
        check(lost == sorted(2 * i + 1 for i in held), "2 s window: lost frames %s" % lost)
        check(abs(ab["one_way_delay"]["max"] - 0.001) < 1e-6, "2 s window: max delay 1 ms")
        page = open(os.path.join(out, "report.html"), encoding="utf-8").read()
        check("Matching window 2 s" in page, "2 s window: the report says which window was used")

        a, b = exchange(500, T0)
        j, _ = run(d, "offset3h", a, shifted(b, 10800))
        off = j["clock_offset_b_minus_a"]
        check(off and abs(off["seconds"] - 10800) < 0.001, "3 h offset found: %s" % off)
        check(j["a_to_b"]["matched"] == 500 and j["b_to_a"]["matched"] == 500,
              "3 h offset: everything matched")
        check(abs(j["matching"]["alignment_seconds"] - 10800) < 0.01,
              "3 h offset: probe alignment %s" % j["matching"]["alignment_seconds"])

        pre = [(T0 - 2000 + i * 0.01,
                pcapgen.udp_frame(CLI, SRV, 41000 + (i % 1000), 9999, struct.pack("!I", i),
                                  ipid=i & 0xFFFF)) for i in range(101000)]
        a, b = exchange(300, T0)
        j, _ = run(d, "late", pre + a, shifted(b, 3600))
        off = j["clock_offset_b_minus_a"]
        check(off and abs(off["seconds"] - 3600) < 0.001, "late start, 1 h offset: %s" % off)
        check(j["a_to_b"]["matched"] == 300 and j["b_to_a"]["matched"] == 300,
              "late start: the shared 600 datagrams matched (%s)" % j["a_to_b"])
        check(j["a_to_b"]["lost_between_points"] == 101000,
              "late start: A's 101000 earlier datagrams lost between the points")

        a1, b1 = exchange(20, T0)
        a2, b2 = exchange(20, T0 + 400)
        j, out = run(d, "idle", a1 + a2, b1 + b2)
        fl = rows(out, "flows.ndjson")
        check(j["flows"]["total"] == 2 and len(fl) == 2, "idle 400 s: two rows (%d)" % len(fl))
        check([r["a_to_b"]["matched"] for r in fl] == [20, 20], "idle: 20 matched in each row")
        check(all(r["a_host"] == "10.9.0.2" and r["b_port"] == 53 for r in fl),
              "idle: both rows are the same addresses and ports")

        # the IP ID wraps: datagram 7 is sent again 100 s later with the same ID
        # and content; only the second copy reaches B.  Within the window the
        # first is lost and the second matched 1 ms later (matching over the
        # whole captures would pair B's copy with the first, 100 s earlier).
        a1, b1 = exchange(20, T0)
        a2, b2 = exchange(20, T0 + 100)
        first7 = next(f for t, f in b1 if f[26:30] == CLI and f[18:20] == struct.pack("!H", 14))
        b1 = [x for x in b1 if x[1] != first7]
        j, out = run(d, "reuse", a1 + a2, b1 + b2)
        ab = j["a_to_b"]
        check(ab["lost_between_points"] == 1 and ab["only_at_far_point"] == 0,
              "IP ID reuse: one lost, nothing only at the far point (%s)" % ab)
        check(abs(ab["one_way_delay"]["max"] - 0.001) < 1e-6,
              "IP ID reuse: the resent copy matched 1 ms later, not 100 s (%s)" % ab["one_way_delay"])
        lost = [r["frame"] for r in rows(out, "unmatched.ndjson")]
        check(lost == [15], "IP ID reuse: the first copy (A frame 15) is the lost one: %s" % lost)

        n = 5000
        delays = [0.001 + (i * 7919 % 1000) * 1e-6 for i in range(n)]
        a, b = exchange(n, T0, delays=delays)
        j, out = run(d, "hist", a, b)
        fl = rows(out, "flows.ndjson")
        dl = fl[0]["a_to_b"]["one_way_delay"]
        # the delays as the two captures recorded them (whole microseconds,
        # rounded as pcapgen.write_pcap rounds)
        def us(ts):
            return int(ts) * 1000000 + int(round((ts - int(ts)) * 1e6))
        true = sorted((us(T0 + i * 0.01 + delays[i]) - us(T0 + i * 0.01)) / 1e6
                      for i in range(n))
        off = j["clock_offset_b_minus_a"]["seconds"]
        med, p95 = true[n // 2] - off, true[int((n - 1) * 0.95)] - off
        check(dl["samples"] == n and "quantiles" in dl, "5000 samples: histogram used (%s)" % dl)
        check(abs(dl["median"] - med) <= med * 0.001 + 1e-9,
              "histogram median %.9f vs %.9f" % (dl["median"], med))
        check(abs(dl["p95"] - p95) <= p95 * 0.001 + 1e-9,
              "histogram p95 %.9f vs %.9f" % (dl["p95"], p95))
        check(abs(dl["min"] - (true[0] - off)) < 1e-9 and abs(dl["max"] - (true[-1] - off)) < 1e-9,
              "min and max exact")
        whole = j["a_to_b"]["one_way_delay"]
        check("quantiles" not in whole and abs(whole["median"] - med) < 1e-9,
              "whole direction still exact: %s" % whole)

        for bad in ("0", "-1", "abc", "100000"):
            r = subprocess.run([z.PCAPCASE, "compare", "--window", bad, "x", "y"],
                               capture_output=True, text=True)
            check(r.returncode == 2 and "--window" in r.stderr and "\n" == r.stderr[-1]
                  and r.stderr.count("\n") == 1, "--window %s: usage error" % bad)
    c.done()


if __name__ == "__main__":
    main()
