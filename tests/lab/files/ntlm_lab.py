"""ntlm_lab.py — the server side of NTLM for the lab's mail servers
(starttls_servers.py ... ntlm) and the check of a recorded login: MD4 (not
in OpenSSL 3's default provider, so not in hashlib here), a CHALLENGE
message with a fixed server challenge, the fields of an AUTHENTICATE, and
NTLMv2's proof (MS-NLMP 3.3.2) computed from a known password.

Standard library only; a recording aid and a test oracle, not an NTLM
implementation to trust with anything else."""
import hashlib
import hmac
import struct

# fixed, so that a recording's hashcat lines can be checked
SERVER_CHALLENGE = bytes.fromhex("1122334455667788")
DOMAIN, COMPUTER = "LAB", "MAIL"


def md4(data):
    """RFC 1320."""
    def f(x, y, z): return (x & y) | (~x & z)
    def g(x, y, z): return (x & y) | (x & z) | (y & z)
    def h(x, y, z): return x ^ y ^ z
    def rol(v, s): return ((v << s) | (v >> (32 - s))) & 0xFFFFFFFF
    msg = bytearray(data) + b"\x80"
    while len(msg) % 64 != 56:
        msg += b"\x00"
    msg += struct.pack("<Q", len(data) * 8)
    a, b, c, d = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        aa, bb, cc, dd = a, b, c, d
        for i in range(16):
            k, s = i, (3, 7, 11, 19)[i % 4]
            a = rol((a + f(b, c, d) + x[k]) & 0xFFFFFFFF, s)
            a, b, c, d = d, a, b, c
        for i in range(16):
            k, s = (i % 4) * 4 + i // 4, (3, 5, 9, 13)[i % 4]
            a = rol((a + g(b, c, d) + x[k] + 0x5A827999) & 0xFFFFFFFF, s)
            a, b, c, d = d, a, b, c
        for i in range(16):
            k = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)[i]
            s = (3, 9, 11, 15)[i % 4]
            a = rol((a + h(b, c, d) + x[k] + 0x6ED9EBA1) & 0xFFFFFFFF, s)
            a, b, c, d = d, a, b, c
        a, b, c, d = ((a + aa) & 0xFFFFFFFF, (b + bb) & 0xFFFFFFFF, (c + cc) & 0xFFFFFFFF,
                      (d + dd) & 0xFFFFFFFF)
    return struct.pack("<4I", a, b, c, d)


def _av(kind, text):
    v = text.encode("utf-16-le")
    return struct.pack("<HH", kind, len(v)) + v


def challenge_message():
    """A CHALLENGE (type 2): Unicode, NTLM, extended session security,
    target info (so that clients answer with NTLMv2), target LAB."""
    target = DOMAIN.encode("utf-16-le")
    info = _av(2, DOMAIN) + _av(1, COMPUTER) + struct.pack("<HH", 0, 0)
    flags = 0x00000001 | 0x00000004 | 0x00000200 | 0x00010000 | 0x00080000 | 0x00800000
    head = 48
    return (b"NTLMSSP\0" + struct.pack("<I", 2) +
            struct.pack("<HHI", len(target), len(target), head) + struct.pack("<I", flags) +
            SERVER_CHALLENGE + b"\0" * 8 +
            struct.pack("<HHI", len(info), len(info), head + len(target)) + target + info)


def message_type(m):
    return struct.unpack("<I", m[8:12])[0] if m[:8] == b"NTLMSSP\0" and len(m) >= 12 else 0


def authenticate_fields(m):
    """user, domain, workstation (str) and the LM and NT responses (bytes)
    of an AUTHENTICATE (type 3)."""
    def buf(at):
        n, _, off = struct.unpack("<HHI", m[at:at + 8])
        return m[off:off + n]
    flags = struct.unpack("<I", m[60:64])[0] if len(m) >= 64 else 0
    enc = "utf-16-le" if flags & 1 else "latin-1"
    return (buf(36).decode(enc), buf(28).decode(enc), buf(44).decode(enc), buf(12), buf(20))


def ntlmv2_ok(user, domain, nt_response, password, server_challenge=SERVER_CHALLENGE):
    """True when nt_response is NTLMv2's answer to server_challenge for
    password (MS-NLMP 3.3.2: NTOWFv2, then NTProofStr over the blob)."""
    if len(nt_response) <= 24:
        return False
    key = md4(password.encode("utf-16-le"))
    owf = hmac.new(key, (user.upper() + domain).encode("utf-16-le"), hashlib.md5).digest()
    proof = hmac.new(owf, server_challenge + nt_response[16:], hashlib.md5).digest()
    return hmac.compare_digest(proof, nt_response[:16])


def hashcat_line_ok(line, password):
    """True when a hashcat mode 5600 line (user::domain:challenge:proof:blob)
    is NTLMv2's answer for password."""
    user, empty, domain, chal, proof, blob = line.split(":")
    return empty == "" and ntlmv2_ok(user, domain, bytes.fromhex(proof) + bytes.fromhex(blob),
                                     password, bytes.fromhex(chal))


def proves_only(line, password, passwords):
    """True when the hashcat line is NTLMv2's answer for password and for
    none of the other passwords."""
    return hashcat_line_ok(line, password) and not any(
        hashcat_line_ok(line, p) for p in set(passwords) - {password})


if __name__ == "__main__":
    # RFC 1320's test suite
    assert md4(b"").hex() == "31d6cfe0d16ae931b73c59d7e0c089c0"
    assert md4(b"abc").hex() == "a448017aaf21d8525fc10ae87aa6729d"
    assert md4(b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
               ).hex() == "e33b4ddc9c38f2199c3e7b164fcc0536"
    print("md4 ok")
