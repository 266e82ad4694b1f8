/* filter.c — see filter.h. */
#include "filter.h"

#include "core/linktype.h"
#include "core/xalloc.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Link types with a compiled program; files rarely mix more than a few. */
#define FILTER_MAX_LINKTYPES 16

typedef struct compiled {
    uint16_t linktype;
    bool ok;
    struct bpf_program prog;
} compiled_t;

struct bpf_filter {
    char *expr;
    compiled_t progs[FILTER_MAX_LINKTYPES];
    size_t n;
};

/* libpcap compiles for its DLT_ values; captures give LINKTYPE_ values.
 * They differ for raw IP and OpenBSD loopback: compiled for the LINKTYPE
 * number, a filter would look for headers these packets do not have and
 * match nothing.  The rest are the same number. */
static const struct {
    uint16_t linktype;
    int dlt;
} dlt_of_linktype[] = {
    {LINKTYPE_RAW, DLT_RAW},
    {LINKTYPE_RAW_DLT12, DLT_RAW},
    {LINKTYPE_RAW_DLT14, DLT_RAW},
    {LINKTYPE_LOOP, DLT_LOOP},
};

static int dlt_for(uint16_t linktype)
{
    for (size_t i = 0; i < sizeof dlt_of_linktype / sizeof dlt_of_linktype[0]; i++)
        if (dlt_of_linktype[i].linktype == linktype)
            return dlt_of_linktype[i].dlt;
    return linktype;
}

/* The snapshot length the filter is compiled for: libpcap's largest, so
 * that no packet is too long for it. */
#define FILTER_SNAPLEN 262144

/* libpcap's compiler is not thread-safe before 1.8 and shares state; keep
 * compiles serialised. */
#include <pthread.h>
static pthread_mutex_t compile_lock = PTHREAD_MUTEX_INITIALIZER;

static bool compile(const char *expr, int linktype, struct bpf_program *prog, char *err,
                    size_t errlen)
{
    pthread_mutex_lock(&compile_lock);
    pcap_t *p = pcap_open_dead(linktype, FILTER_SNAPLEN);
    bool ok = p && pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (!ok && err)
        snprintf(err, errlen, "%s", p ? pcap_geterr(p) : "cannot create pcap handle");
    if (p)
        pcap_close(p);
    pthread_mutex_unlock(&compile_lock);
    return ok;
}

bool filter_check(const char *expr, char *err, size_t errlen)
{
    struct bpf_program prog;
    if (!compile(expr, DLT_EN10MB, &prog, err, errlen))
        return false;
    pcap_freecode(&prog);
    return true;
}

bpf_filter_t *filter_new(const char *expr)
{
    if (!expr)
        return NULL;
    bpf_filter_t *f = xcalloc(1, sizeof *f);
    f->expr = xstrdup(expr);
    return f;
}

static compiled_t *program_for(bpf_filter_t *f, uint16_t linktype)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->progs[i].linktype == linktype)
            return &f->progs[i];
    if (f->n == FILTER_MAX_LINKTYPES)
        return NULL;
    compiled_t *c = &f->progs[f->n++];
    c->linktype = linktype;
    c->ok = compile(f->expr, dlt_for(linktype), &c->prog, NULL, 0);
    return c;
}

bool filter_match(bpf_filter_t *f, uint16_t linktype, const uint8_t *data, uint32_t caplen,
                  uint32_t origlen)
{
    if (!f)
        return true;
    compiled_t *c = program_for(f, linktype);
    if (!c || !c->ok || !data)
        return false;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.caplen = caplen;
    h.len = origlen;
    return pcap_offline_filter(&c->prog, &h, data) != 0;
}

void filter_free(bpf_filter_t *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        if (f->progs[i].ok)
            pcap_freecode(&f->progs[i].prog);
    free(f->expr);
    free(f);
}
