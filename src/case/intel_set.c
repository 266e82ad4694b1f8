/*
 * intel_set.c — the indicator store: one hash set over (kind, normalised
 * key), feed entries per indicator, and the subnet prefix lengths present.
 *
 * Why hash sets and not a trie: every indicator type but subnets is matched
 * exactly (a domain's parents are walked label by label, a handful of
 * probes), and an address is tried against the subnets of each prefix
 * length the feeds used — real feeds use a few lengths, so that is a few
 * probes too, and one table serves everything.  Everything lives in flat
 * arrays addressed by 32-bit offsets (a million indicators take about
 * 100 MB), which also bounds the set: INTEL_MAX_TEXT.
 */
#include "intel_set.h"

#include "core/buf.h"
#include "core/xalloc.h"
#include "intel_norm.h"

#include <string.h>

/* Texts are addressed by 32-bit offsets, so all of a set's key, display and
 * feed text must fit in 4 GiB — some 30 million URLs. */
#define INTEL_MAX_TEXT ((size_t)UINT32_MAX - 1)
/* Slots are grown to keep the table at most half full: probes stay short. */
#define INDEX_MIN_SLOTS 1024

/* Key kinds: one per type, except that file and certificate hashes share
 * one (a plain list cannot tell them apart), plus one for domains that
 * match their subdomains too. */
enum { KIND_DOMAIN_SUFFIX = INTEL_NTYPES };

typedef struct indicator {
    uint64_t hash;
    uint32_t key, keylen; /* offset into text, length */
    uint32_t display;     /* offset of the NUL-terminated text shown */
    uint32_t meta;        /* first feed entry + 1; 0 none */
    uint16_t types;       /* INTEL_BIT set */
    uint8_t kind;
} indicator_t;

typedef struct feed_entry {
    uint32_t source, desc, url; /* interned string offset + 1; 0 none */
    uint32_t next;              /* next entry + 1; 0 last */
    int8_t severity;
} feed_entry_t;

/* Open addressing, linear probing; a slot is (hash >> 32) << 32 | (id + 1),
 * 0 empty, so most mismatches are seen without touching the items. */
typedef struct slot_index {
    uint64_t *slots;
    size_t mask, used;
} slot_index_t;

struct intel_set {
    indicator_t *ind;
    size_t n, cap;
    feed_entry_t *feeds;
    size_t nfeeds, capfeeds;
    buf_t text;           /* keys, display texts and interned strings */
    slot_index_t exact;   /* indicators matched by one probe */
    slot_index_t walked;  /* subnets and "*." domains, probed many times per lookup */
    slot_index_t strings; /* interned strings; ids are text offsets */
    /* subnet prefix lengths present, longest first; [0] IPv4, [1] IPv6 */
    uint8_t lens[2][129];
    unsigned nlens[2];
    intel_file_info_t *files;
    size_t nfiles;
    buf_t scratch; /* the key being added */
};

static uint64_t key_hash(uint8_t kind, const void *key, size_t n)
{
    return hash_fnv1a(key, n, hash_fnv1a(&kind, 1, 0));
}

static uint64_t string_hash(const char *str)
{
    return hash_fnv1a(str, strlen(str), 0);
}

/* ---- the slot index ----------------------------------------------------- */

typedef uint64_t (*id_hash_fn)(const intel_set_t *s, uint32_t id);

static uint64_t indicator_hash(const intel_set_t *s, uint32_t id)
{
    return s->ind[id].hash;
}

static uint64_t interned_hash(const intel_set_t *s, uint32_t id)
{
    return string_hash((const char *)s->text.data + id);
}

static void index_place(uint64_t *slots, size_t mask, uint64_t h, uint32_t id)
{
    size_t i = (size_t)h & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = (h >> 32) << 32 | ((uint64_t)id + 1);
}

static void index_put(const intel_set_t *s, slot_index_t *ix, uint64_t h, uint32_t id,
                      id_hash_fn rehash)
{
    if ((ix->used + 1) * 2 > ix->mask + 1 || !ix->slots) {
        size_t nslots = ix->slots ? (ix->mask + 1) * 2 : INDEX_MIN_SLOTS;
        uint64_t *slots = xcalloc(nslots, sizeof *slots);
        for (size_t i = 0; ix->slots && i <= ix->mask; i++)
            if (ix->slots[i]) {
                uint32_t old = (uint32_t)ix->slots[i] - 1;
                index_place(slots, nslots - 1, rehash(s, old), old);
            }
        free(ix->slots);
        ix->slots = slots;
        ix->mask = nslots - 1;
    }
    index_place(ix->slots, ix->mask, h, id);
    ix->used++;
}

/* Subnets and "*." domains have an index of their own: a lookup probes it
 * once per prefix length or label, and feeds list few of them, so it stays
 * in the cache while the big one of exact indicators does not. */
static bool walked_kind(uint8_t kind)
{
    return kind == INTEL_SUBNET || kind == KIND_DOMAIN_SUFFIX;
}

/* The indicator of kind with key (n bytes), + 1; 0 if none. */
static uint32_t find_indicator(const intel_set_t *s, uint8_t kind, const void *key, size_t n,
                               uint64_t h)
{
    const slot_index_t *ix = walked_kind(kind) ? &s->walked : &s->exact;
    if (!ix->slots)
        return 0;
    uint64_t tag = (h >> 32) << 32;
    for (size_t i = (size_t)h & ix->mask; ix->slots[i]; i = (i + 1) & ix->mask) {
        uint64_t v = ix->slots[i];
        if ((v & 0xffffffff00000000ULL) != tag)
            continue;
        const indicator_t *x = &s->ind[(uint32_t)v - 1];
        if (x->kind == kind && x->keylen == n && memcmp(s->text.data + x->key, key, n) == 0)
            return (uint32_t)v;
    }
    return 0;
}

/* ---- text ------------------------------------------------------------------ */

/* Append n bytes and a NUL to the text; their offset. */
static uint32_t text_put(intel_set_t *s, const void *p, size_t n)
{
    uint32_t off = (uint32_t)s->text.len;
    buf_append(&s->text, p, n);
    buf_append_byte(&s->text, 0);
    return off;
}

/* str interned: its offset + 1; 0 for NULL or "". */
static uint32_t intern(intel_set_t *s, const char *str)
{
    if (!str || !*str)
        return 0;
    uint64_t h = string_hash(str), tag = (h >> 32) << 32;
    for (size_t i = s->strings.slots ? (size_t)h & s->strings.mask : 0;
         s->strings.slots && s->strings.slots[i]; i = (i + 1) & s->strings.mask) {
        uint64_t v = s->strings.slots[i];
        if ((v & 0xffffffff00000000ULL) == tag &&
            strcmp((const char *)s->text.data + (uint32_t)v - 1, str) == 0)
            return (uint32_t)v;
    }
    uint32_t off = text_put(s, str, strlen(str));
    index_put(s, &s->strings, h, off, interned_hash);
    return off + 1;
}

/* Bytes str takes in the text, at most. */
static size_t text_size(const char *str)
{
    return str ? strlen(str) + 1 : 0;
}

static const char *interned(const intel_set_t *s, uint32_t ref)
{
    return ref ? (const char *)s->text.data + ref - 1 : NULL;
}

/* ---- adding ------------------------------------------------------------------ */

intel_set_t *intel_new(void)
{
    return xcalloc(1, sizeof(intel_set_t));
}

void intel_free(intel_set_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfiles; i++)
        free(s->files[i].path), free(s->files[i].error);
    free(s->files);
    free(s->ind);
    free(s->feeds);
    free(s->exact.slots);
    free(s->walked.slots);
    free(s->strings.slots);
    buf_free(&s->text);
    buf_free(&s->scratch);
    free(s);
}

static uint8_t kind_of(intel_type_t t, bool subdomains)
{
    if (t == INTEL_CERT_HASH)
        return INTEL_FILE_HASH;
    if (t == INTEL_DOMAIN && subdomains)
        return KIND_DOMAIN_SUFFIX;
    return (uint8_t)t;
}

static void note_prefix_length(intel_set_t *s, const uint8_t *key)
{
    unsigned fam = key[0] == 4 ? 0 : 1, len = key[1], i = 0;
    while (i < s->nlens[fam] && s->lens[fam][i] > len)
        i++;
    if (i < s->nlens[fam] && s->lens[fam][i] == len)
        return;
    memmove(&s->lens[fam][i + 1], &s->lens[fam][i], s->nlens[fam] - i);
    s->lens[fam][i] = (uint8_t)len;
    s->nlens[fam]++;
}

/* A new indicator for the key in s->scratch; its id. */
static uint32_t new_indicator(intel_set_t *s, uint8_t kind, uint64_t h)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->ind = xreallocarray(s->ind, s->cap, sizeof *s->ind);
    }
    indicator_t *x = &s->ind[s->n];
    *x = (indicator_t){.hash = h, .kind = kind, .keylen = (uint32_t)s->scratch.len};
    if (kind == INTEL_ADDR || kind == INTEL_SUBNET) {
        char shown[INTEL_ADDR_TEXT_MAX];
        intel_addr_key_text((intel_type_t)kind, s->scratch.data, s->scratch.len, shown);
        x->key = text_put(s, s->scratch.data, s->scratch.len);
        x->display = text_put(s, shown, strlen(shown));
        if (kind == INTEL_SUBNET)
            note_prefix_length(s, s->scratch.data);
    } else if (kind == KIND_DOMAIN_SUFFIX) {
        x->display = (uint32_t)s->text.len;
        buf_append_str(&s->text, "*.");
        x->key = text_put(s, s->scratch.data, s->scratch.len);
    } else {
        x->key = x->display = text_put(s, s->scratch.data, s->scratch.len);
    }
    index_put(s, walked_kind(kind) ? &s->walked : &s->exact, h, (uint32_t)s->n, indicator_hash);
    return (uint32_t)s->n++;
}

/* Add the feed entry m to indicator id, or update the entry of its source. */
static void merge_feed(intel_set_t *s, uint32_t id, const intel_meta_t *m)
{
    feed_entry_t e = {
        intern(s, m->source), intern(s, m->desc), intern(s, m->url), 0,
        (int8_t)(m->severity >= 0 && m->severity <= 3 ? m->severity : INTEL_SEVERITY_UNSET)};
    uint32_t last = 0; /* the list's last entry + 1 */
    for (uint32_t i = s->ind[id].meta; i; i = s->feeds[i - 1].next) {
        feed_entry_t *f = &s->feeds[i - 1];
        if (f->source == e.source) {
            e.next = f->next;
            *f = e;
            return;
        }
        last = i;
    }
    if (s->nfeeds == s->capfeeds) {
        s->capfeeds = s->capfeeds ? s->capfeeds * 2 : 1024;
        s->feeds = xreallocarray(s->feeds, s->capfeeds, sizeof *s->feeds);
    }
    s->feeds[s->nfeeds++] = e;
    if (last)
        s->feeds[last - 1].next = (uint32_t)s->nfeeds;
    else
        s->ind[id].meta = (uint32_t)s->nfeeds;
}

/* The kind all of types share, or -1. */
static int common_kind(unsigned types, bool subdomains)
{
    int kind = -1;
    for (int t = 0; t < INTEL_NTYPES; t++) {
        if (!(types & INTEL_BIT(t)))
            continue;
        int k = kind_of((intel_type_t)t, subdomains);
        if (kind >= 0 && k != kind)
            return -1;
        kind = k;
    }
    return kind;
}

static int lowest_type(unsigned types)
{
    for (int t = 0; t < INTEL_NTYPES; t++)
        if (types & INTEL_BIT(t))
            return t;
    return -1;
}

int intel_add(intel_set_t *s, unsigned types, const char *text, size_t n, const intel_meta_t *meta,
              const char **why)
{
    int t = lowest_type(types);
    bool subdomains = false;
    buf_clear(&s->scratch);
    if (t < 0 || types >= INTEL_BIT(INTEL_NTYPES)) {
        *why = "no indicator type";
        return -1;
    }
    if (!intel_normalise((intel_type_t)t, text, n, &s->scratch, &subdomains, why))
        return -1;
    int kind = common_kind(types, subdomains);
    if (kind < 0) {
        *why = "types that cannot share one indicator";
        return -1;
    }
    /* key, display ("*." or an address text) and the feed's strings */
    size_t need = 2 * s->scratch.len + INTEL_ADDR_TEXT_MAX + 8 + text_size(meta->source) +
                  text_size(meta->desc) + text_size(meta->url);
    if (s->text.len + need > INTEL_MAX_TEXT) {
        *why = "the intel set is full (4 GiB of indicator text)";
        return -1;
    }
    uint64_t h = key_hash((uint8_t)kind, s->scratch.data, s->scratch.len);
    uint32_t found = find_indicator(s, (uint8_t)kind, s->scratch.data, s->scratch.len, h);
    uint32_t id = found ? found - 1 : new_indicator(s, (uint8_t)kind, h);
    s->ind[id].types |= (uint16_t)types;
    merge_feed(s, id, meta);
    return found ? 1 : 0;
}

/* ---- matching ------------------------------------------------------------------ */

size_t intel_match_addr(const intel_set_t *s, const ipaddr_t *ip, intel_id_t hits[INTEL_MAX_HITS])
{
    uint8_t key[18];
    size_t k = 0, n = intel_addr_key(ip, key);
    uint32_t found = find_indicator(s, INTEL_ADDR, key, n, key_hash(INTEL_ADDR, key, n));
    if (found)
        hits[k++] = found - 1;
    if (ip->family != 4 && ip->family != 6)
        return k;
    unsigned fam = ip->family == 4 ? 0 : 1, bytes = ip->family == 4 ? 4 : 16;
    for (unsigned i = 0; i < s->nlens[fam]; i++) {
        unsigned len = s->lens[fam][i];
        key[0] = ip->family;
        key[1] = (uint8_t)len;
        for (unsigned b = 0; b < bytes; b++) {
            unsigned keep = len > b * 8 ? len - b * 8 : 0;
            key[2 + b] = ip->a[b] & (keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep));
        }
        found =
            find_indicator(s, INTEL_SUBNET, key, 2 + bytes, key_hash(INTEL_SUBNET, key, 2 + bytes));
        if (found)
            hits[k++] = found - 1;
    }
    return k;
}

/* name (normalised) exactly, then every "*." entry on it or above it. */
static size_t match_domain(const intel_set_t *s, const char *name, size_t n,
                           intel_id_t hits[INTEL_MAX_HITS])
{
    size_t k = 0;
    uint32_t found = find_indicator(s, INTEL_DOMAIN, name, n, key_hash(INTEL_DOMAIN, name, n));
    if (found)
        hits[k++] = found - 1;
    for (size_t i = 0; i < n && k < INTEL_MAX_HITS; i++) {
        if (i > 0 && name[i - 1] != '.')
            continue;
        found = find_indicator(s, KIND_DOMAIN_SUFFIX, name + i, n - i,
                               key_hash(KIND_DOMAIN_SUFFIX, name + i, n - i));
        if (found)
            hits[k++] = found - 1;
    }
    return k;
}

size_t intel_match(const intel_set_t *s, intel_type_t seen_as, const char *value, size_t n,
                   intel_id_t hits[INTEL_MAX_HITS])
{
    if (seen_as >= INTEL_NTYPES || seen_as == INTEL_SUBNET || s->n == 0)
        return 0;
    buf_t key = BUF_INIT;
    bool subdomains;
    const char *why;
    size_t k = 0;
    if (!intel_normalise(seen_as, value, n, &key, &subdomains, &why) || subdomains) {
        /* not a valid value of that type: no indicator can equal it */
    } else if (seen_as == INTEL_ADDR) {
        ipaddr_t ip = {.family = key.data[0]};
        memcpy(ip.a, key.data + 1, key.len - 1);
        k = intel_match_addr(s, &ip, hits);
    } else if (seen_as == INTEL_DOMAIN) {
        k = match_domain(s, (const char *)key.data, key.len, hits);
    } else {
        uint8_t kind = kind_of(seen_as, false);
        uint32_t found =
            find_indicator(s, kind, key.data, key.len, key_hash(kind, key.data, key.len));
        if (found && (s->ind[found - 1].types & INTEL_BIT(seen_as)))
            hits[k++] = found - 1;
    }
    buf_free(&key);
    return k;
}

/* ---- reading back ------------------------------------------------------------------ */

size_t intel_count(const intel_set_t *s)
{
    return s->n;
}

const char *intel_indicator_text(const intel_set_t *s, intel_id_t id)
{
    return id < s->n ? (const char *)s->text.data + s->ind[id].display : "";
}

intel_type_t intel_matched_type(const intel_set_t *s, intel_id_t id, intel_type_t seen_as)
{
    return id < s->n && s->ind[id].kind == INTEL_SUBNET ? INTEL_SUBNET : seen_as;
}

unsigned intel_indicator_types(const intel_set_t *s, intel_id_t id)
{
    return id < s->n ? s->ind[id].types : 0;
}

bool intel_indicator_meta(const intel_set_t *s, intel_id_t id, size_t i, intel_meta_t *out)
{
    uint32_t e = id < s->n ? s->ind[id].meta : 0;
    for (; e && i > 0; i--)
        e = s->feeds[e - 1].next;
    if (!e)
        return false;
    const feed_entry_t *f = &s->feeds[e - 1];
    *out = (intel_meta_t){interned(s, f->source), interned(s, f->desc), interned(s, f->url),
                          f->severity};
    return true;
}

int intel_indicator_severity(const intel_set_t *s, intel_id_t id)
{
    int best = INTEL_SEVERITY_UNSET;
    for (uint32_t e = id < s->n ? s->ind[id].meta : 0; e; e = s->feeds[e - 1].next)
        if (s->feeds[e - 1].severity > best)
            best = s->feeds[e - 1].severity;
    return best == INTEL_SEVERITY_UNSET ? INTEL_DEFAULT_SEVERITY : best;
}

/* ---- files ------------------------------------------------------------------ */

size_t intel_file_begin(intel_set_t *s, const char *name)
{
    s->files = xreallocarray(s->files, s->nfiles + 1, sizeof *s->files);
    s->files[s->nfiles] = (intel_file_info_t){.path = xstrdup(name), .format = "list"};
    return s->nfiles++;
}

intel_file_info_t *intel_file_mut(intel_set_t *s, size_t i)
{
    return &s->files[i];
}

size_t intel_nfiles(const intel_set_t *s)
{
    return s->nfiles;
}

const intel_file_info_t *intel_file(const intel_set_t *s, size_t i)
{
    return i < s->nfiles ? &s->files[i] : NULL;
}
