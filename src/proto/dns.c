/* dns.c — DNS message parsing; see dns.h. */
#include "dns.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    uint16_t v;
    const char *n;
} qtypes[] = {{1, "A"},       {2, "NS"},     {5, "CNAME"},       {6, "SOA"},    {11, "WKS"},
              {12, "PTR"},    {13, "HINFO"}, {15, "MX"},         {16, "TXT"},   {17, "RP"},
              {18, "AFSDB"},  {24, "SIG"},   {25, "KEY"},        {28, "AAAA"},  {29, "LOC"},
              {30, "NXT"},    {33, "SRV"},   {35, "NAPTR"},      {38, "A6"},    {39, "DNAME"},
              {41, "OPT"},    {43, "DS"},    {44, "SSHFP"},      {46, "RRSIG"}, {47, "NSEC"},
              {48, "DNSKEY"}, {50, "NSEC3"}, {51, "NSEC3PARAM"}, {52, "TLSA"},  {64, "SVCB"},
              {65, "HTTPS"},  {99, "SPF"},   {249, "TKEY"},      {250, "TSIG"}, {251, "IXFR"},
              {252, "AXFR"},  {255, "*"},    {256, "URI"},       {257, "CAA"},  {32769, "DLV"}};

const char *dns_qtype_name(uint16_t t)
{
    for (size_t i = 0; i < sizeof qtypes / sizeof qtypes[0]; i++)
        if (qtypes[i].v == t)
            return qtypes[i].n;
    return NULL;
}

const char *dns_rcode_name(uint16_t r)
{
    static const char *const n[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                    "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (r < sizeof n / sizeof n[0])
        return n[r];
    if (r == 16)
        return "BADVERS";
    return NULL;
}

const char *dns_qclass_name(uint16_t c)
{
    switch (c) {
    case 1:
        return "C_INTERNET";
    case 3:
        return "C_CHAOS";
    case 4:
        return "C_HESIOD";
    case 254:
        return "C_NONE";
    case 255:
        return "C_ANY";
    default:
        return NULL;
    }
}

bool dns_looks_like(const uint8_t *p, size_t len)
{
    cursor_t c = cursor_make(p, len);
    uint16_t id, flags, qd, an, ns, ar;
    if (!cursor_u16be(&c, &id) || !cursor_u16be(&c, &flags) || !cursor_u16be(&c, &qd) ||
        !cursor_u16be(&c, &an) || !cursor_u16be(&c, &ns) || !cursor_u16be(&c, &ar))
        return false;
    return qd <= 16 && (size_t)qd * 5 <= len;
}

/* Opcodes (IANA "DNS OPCODEs"): 1 was made obsolete by RFC 3425; 3 and
 * 7-15 are unassigned.  Both are logged, with a weird. */
static const char *opcode_weird(uint8_t opcode)
{
    if (opcode == 1)
        return "obsolete_inverse_query";
    if (opcode == 3 || opcode > 6)
        return "unassigned_opcode";
    return NULL;
}

static void note_weird(dns_msg_t *m, const char *what)
{
    if (!m->weird)
        m->weird = what;
}

/* A label as dotted text, non-printable bytes escaped as \DDD (like dig),
 * lower-cased as Zeek logs names. */
static const char *text_label(void *ctx, const uint8_t *label, size_t len)
{
    buf_t *out = ctx;
    if (out->len)
        buf_append_byte(out, '.');
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = label[i];
        if (ch > 0x20 && ch < 0x7f && ch != '.' && ch != '\\')
            buf_append_byte(out, ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        else
            buf_printf(out, "\\%03u", ch);
    }
    return out->len > DNS_MAX_NAME ? "dns.name_too_long" : NULL;
}

/* Read the name at *c (pointers index msg) into out as text; the root is
 * "".  A name read through a forward pointer is noted on m (a name that
 * could not be read is damage, and only that: a pointer loop points
 * "forward" too). */
static bool read_name(cursor_t *c, const cursor_t *msg, buf_t *out, dns_msg_t *m, const char **err)
{
    buf_clear(out);
    dns_name_reader_t r = {.msg = msg, .label = text_label, .ctx = out};
    if (!dns_name_read(c, &r)) {
        *err = r.err;
        return false;
    }
    if (r.forward)
        note_weird(m, "forward_compression_pointer");
    return true;
}

static void render_txt(cursor_t rd, buf_t *t, const char *label)
{
    bool first = true;
    uint8_t l;
    while (cursor_u8(&rd, &l)) {
        const uint8_t *s;
        if (!cursor_bytes(&rd, l, &s))
            break;
        buf_printf(t, "%s%s %u ", first ? "" : " ", label, l);
        buf_append(t, s, l);
        first = false;
    }
}

/* Render one resource record's data the way Zeek's dns.log does. */
static void render_rdata(const cursor_t *msg, cursor_t rd, uint16_t type, const char *owner,
                         dns_answer_t *a, buf_t *t, dns_msg_t *m, const char **err)
{
    buf_t name = BUF_INIT;
    const char *tn = dns_qtype_name(type);
    switch (type) {
    case 1:
        if (cursor_left(&rd) == 4) {
            char s[INET6_ADDRSTRLEN];
            memcpy(a->addr, rd.p, 4);
            a->family = 4;
            buf_append_str(t, inet_ntop(AF_INET, rd.p, s, sizeof s));
        }
        break;
    case 28:
        if (cursor_left(&rd) == 16) {
            char s[INET6_ADDRSTRLEN];
            memcpy(a->addr, rd.p, 16);
            a->family = 6;
            buf_append_str(t, inet_ntop(AF_INET6, rd.p, s, sizeof s));
        }
        break;
    case 2:
    case 5:
    case 12:
    case 39:
    case 6: /* NS CNAME PTR DNAME SOA(mname) */
    {
        cursor_t n = rd;
        if (read_name(&n, msg, &name, m, err))
            buf_append(t, name.data, name.len);
        break;
    }
    case 15:
    case 33: /* MX: preference + exchange; SRV: prio weight port target */
    {
        cursor_t n = rd;
        if (cursor_skip(&n, type == 15 ? 2 : 6) && !cursor_empty(&n) &&
            read_name(&n, msg, &name, m, err))
            buf_append(t, name.data, name.len);
        break;
    }
    case 16:
        render_txt(rd, t, "TXT");
        break;
    case 99:
        render_txt(rd, t, "SPF");
        break;
    case 48: { /* DNSKEY: flags(2) proto(1) alg(1) */
        uint8_t alg;
        if (cursor_skip(&rd, 3) && cursor_u8(&rd, &alg))
            buf_printf(t, "DNSKEY %u", alg);
        break;
    }
    case 43: { /* DS: key tag(2) alg(1) digest type(1) */
        uint8_t alg, dt;
        if (cursor_skip(&rd, 2) && cursor_u8(&rd, &alg) && cursor_u8(&rd, &dt))
            buf_printf(t, "DS %u %u", alg, dt);
        break;
    }
    case 46: { /* RRSIG: type covered(2) ... signer name at offset 18 */
        uint16_t covered;
        if (cursor_u16be(&rd, &covered) && cursor_left(&rd) > 16) {
            cursor_t n = rd;
            cursor_skip(&n, 16);
            if (read_name(&n, msg, &name, m, err))
                buf_printf(t, "RRSIG %u %s", covered, buf_cstr(&name));
        }
        break;
    }
    case 47: { /* NSEC: next domain name */
        cursor_t n = rd;
        if (read_name(&n, msg, &name, m, err))
            buf_printf(t, "NSEC %s %s", owner, buf_cstr(&name));
        break;
    }
    case 257: { /* CAA: flags(1) taglen(1) tag value */
        uint8_t flags, tl;
        const uint8_t *tag;
        if (cursor_u8(&rd, &flags) && cursor_u8(&rd, &tl) && cursor_bytes(&rd, tl, &tag)) {
            buf_printf(t, "CAA %u ", flags);
            buf_append(t, tag, tl);
            buf_append_byte(t, ' ');
            buf_append(t, rd.p, cursor_left(&rd));
        }
        break;
    }
    case 64:
    case 65: { /* SVCB/HTTPS: priority + target */
        uint16_t prio;
        if (cursor_u16be(&rd, &prio)) {
            cursor_t n = rd;
            if (read_name(&n, msg, &name, m, err))
                buf_printf(t, "%s %u %s", tn, prio, name.len ? buf_cstr(&name) : ".");
        }
        break;
    }
    default:
        if (tn)
            buf_append_str(t, tn);
        else
            buf_printf(t, "<unknown type=%u>", type);
        break;
    }
    buf_free(&name);
}

static bool parse_rrs(cursor_t *c, const cursor_t *msg, unsigned count, bool keep, dns_msg_t *m,
                      buf_t *name)
{
    for (unsigned i = 0; i < count; i++) {
        const char *err = NULL;
        if (!read_name(c, msg, name, m, &err)) {
            m->error = err;
            return false;
        }
        uint16_t type, cls, rdlen;
        uint32_t ttl;
        cursor_t rd;
        if (!cursor_u16be(c, &type) || !cursor_u16be(c, &cls) || !cursor_u32be(c, &ttl) ||
            !cursor_u16be(c, &rdlen) || !cursor_sub(c, rdlen, &rd)) {
            m->error = "dns.truncated_record";
            return false;
        }
        if (type == 41) { /* OPT: extended rcode in the TTL field */
            m->has_edns = true;
            m->edns_rcode_ext = (uint16_t)(ttl >> 24);
            continue;
        }
        if (!keep || m->nanswers >= DNS_MAX_RRS)
            continue;
        dns_answer_t *a = &m->answers[m->nanswers];
        memset(a, 0, sizeof *a);
        buf_t text = BUF_INIT;
        a->owner = xstrndup(buf_cstr(name), name->len);
        render_rdata(msg, rd, type, a->owner, a, &text, m, &err);
        a->text = buf_steal(&text);
        a->ttl = ttl;
        a->type = type;
        m->nanswers++;
        if (err && !m->error)
            m->error = err;
    }
    return true;
}

bool dns_parse(const uint8_t *msg, size_t len, dns_msg_t *m)
{
    memset(m, 0, sizeof *m);
    cursor_t c = cursor_make(msg, len), whole = c;
    uint16_t flags;
    if (!cursor_u16be(&c, &m->id) || !cursor_u16be(&c, &flags) || !cursor_u16be(&c, &m->qdcount) ||
        !cursor_u16be(&c, &m->ancount) || !cursor_u16be(&c, &m->nscount) ||
        !cursor_u16be(&c, &m->arcount)) {
        m->error = "dns.truncated_header";
        return false;
    }
    m->qr = flags & 0x8000;
    m->opcode = (flags >> 11) & 0xF;
    m->aa = flags & 0x0400;
    m->tc = flags & 0x0200;
    m->rd = flags & 0x0100;
    m->ra = flags & 0x0080;
    m->z = (flags >> 4) & 0x7;
    m->rcode = flags & 0xF;
    m->weird = opcode_weird(m->opcode);
    buf_t name = BUF_INIT;
    for (unsigned i = 0; i < m->qdcount; i++) {
        const char *err = NULL;
        uint16_t qt, qc;
        if (!read_name(&c, &whole, &name, m, &err)) {
            m->error = err;
            break;
        }
        if (!cursor_u16be(&c, &qt) || !cursor_u16be(&c, &qc)) {
            m->error = "dns.truncated_question";
            break;
        }
        if (i == 0) {
            m->qname = xstrndup(buf_cstr(&name), name.len);
            m->qtype = qt;
            m->qclass = qc;
        }
    }
    if (!m->error) {
        m->answers = xcalloc(DNS_MAX_RRS, sizeof *m->answers);
        if (parse_rrs(&c, &whole, m->ancount, true, m, &name) &&
            parse_rrs(&c, &whole, m->nscount, false, m, &name))
            parse_rrs(&c, &whole, m->arcount, false, m, &name);
    }
    buf_free(&name);
    /* mDNS announcements carry no question: name them by their first answer,
     * as Zeek does (an inverse query's answer is what it asks about, not a
     * name) */
    if (!m->qname && m->qr && m->opcode == 0 && m->nanswers && m->answers[0].owner) {
        m->qname = xstrdup(m->answers[0].owner);
        m->qtype = m->answers[0].type;
        m->qclass = 1;
    }
    return true;
}

void dns_msg_free(dns_msg_t *m)
{
    free(m->qname);
    for (size_t i = 0; i < m->nanswers; i++) {
        free(m->answers[i].text);
        free(m->answers[i].owner);
    }
    free(m->answers);
    memset(m, 0, sizeof *m);
}
