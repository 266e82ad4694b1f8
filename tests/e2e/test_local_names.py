"""Names hosts give themselves: DHCP Host Name / Client FQDN reach
hosts.ndjson's names, checked against tshark's dissection of the same DHCP
messages on Zeek's DHCP traces (and three known values).  NetBIOS name
service parsing is unit-tested (tests/unit/test_proto.c): the corpus has no
NetBIOS registration or positive answer."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

DHCP = os.path.join(z.CORPUS, "zeek-traces", "dhcp")
KNOWN = {"dhcp.pcap": ("128.2.6.189", "btest.is.cool"),
         "dhcp_time_and_nameserver.pcap": ("192.168.15.250", "pop-os"),
         "hw-type0.pcap": ("192.168.0.3", "R0")}
FIELDS = ["dhcp.option.dhcp", "dhcp.option.hostname", "dhcp.fqdn.name",
          "dhcp.option.requested_ip_address", "dhcp.ip.your", "dhcp.ip.client"]


def tshark_names(pcap):
    """{(addr, name)} by the rule in docs/design.md: REQUEST/ACK/INFORM only;
    yiaddr, else Requested IP, else ciaddr."""
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "dhcp", "-T", "fields",
                          "-E", "occurrence=f"] + sum((["-e", f] for f in FIELDS), []),
                         capture_output=True, text=True, timeout=120).stdout
    got = set()
    for line in out.splitlines():
        t, host, fqdn, req, your, ci = (line.split("\t") + [""] * 6)[:6]
        name = (fqdn or host).rstrip(". ")
        if not name or (t and t not in ("3", "5", "8")):
            continue
        addr = next((a for a in (your, req, ci) if a and a != "0.0.0.0"), None)
        if addr:
            got.add((addr, name))
    return got


def main():
    z.require_corpus("local_names")
    c = z.Checker("local_names")
    have_tshark = shutil.which("tshark") is not None
    for name in sorted(os.listdir(DHCP)):
        pcap = os.path.join(DHCP, name)
        with tempfile.TemporaryDirectory() as out:
            rc, err = z.analyze([pcap], out, extra=("--no-carve",))
            c.check(rc in (0, 1), f"{name}: exit status {rc} ({err.strip()})")
            hosts = {h["ip"]: set(h["names"]) for h in
                     z.read_ndjson(os.path.join(out, "logs", "hosts.ndjson"))}
        if name in KNOWN:
            ip, n = KNOWN[name]
            c.check(n in hosts.get(ip, set()), f"{name}: {ip} is named {n} ({hosts.get(ip)})")
        if not have_tshark:
            continue
        for addr, n in sorted(tshark_names(pcap)):
            if addr in hosts:  # a host is listed only when it sent or received traffic
                c.check(n in hosts[addr], f"{name}: tshark's DHCP name {n} for {addr} "
                                          f"(ours: {sorted(hosts[addr])})")
    if not have_tshark:
        print("SKIP tshark comparison: tshark not installed (./setup.sh test installs it)")
    c.done()


if __name__ == "__main__":
    main()
