/* fuzz_intel.c — the intel loader (Zeek intel files and plain lists) and
 * the matcher on arbitrary bytes.  Checked beyond "no crash":
 *   - reading the input in two pieces (split where its first byte says)
 *     gives the same set and counts as reading it whole;
 *   - every indicator loaded matches its own text (normal forms are stable:
 *     the text an indicator is shown with normalises to its key), a subnet
 *     its network address and a "*." domain the domain itself;
 *   - every line is counted once: indicators + bad lines never exceed
 *     lines. */
#include "case/intel.h"

#include <stdlib.h>
#include <string.h>

static intel_set_t *load(const uint8_t *data, size_t size, size_t split,
                         const intel_file_info_t **fi)
{
    intel_set_t *s = intel_new();
    intel_loader_t *l = intel_loader_begin(s, "fuzz.intel", NULL);
    intel_loader_feed(l, data, split);
    intel_loader_feed(l, data + split, size - split);
    *fi = intel_loader_end(l);
    return s;
}

static bool hit(const intel_id_t *hits, size_t n, intel_id_t id)
{
    for (size_t i = 0; i < n; i++)
        if (hits[i] == id)
            return true;
    return false;
}

/* Does indicator id match the text it is shown with? */
static void check_self_match(const intel_set_t *s, intel_id_t id)
{
    const char *text = intel_indicator_text(s, id);
    unsigned types = intel_indicator_types(s, id);
    intel_id_t hits[INTEL_MAX_HITS];
    int t = 0;
    while (!(types & INTEL_BIT(t)))
        t++;
    size_t n;
    if (t == INTEL_SUBNET)
        n = intel_match(s, INTEL_ADDR, text, strcspn(text, "/"), hits);
    else if (t == INTEL_DOMAIN && text[0] == '*')
        n = intel_match(s, INTEL_DOMAIN, text + 2, strlen(text + 2), hits);
    else
        n = intel_match(s, (intel_type_t)t, text, strlen(text), hits);
    if (!hit(hits, n, id))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const intel_file_info_t *whole, *split;
    intel_set_t *a = load(data, size, 0, &whole);
    intel_set_t *b = load(data, size, size ? data[0] % (size + 1) : 0, &split);
    if (intel_count(a) != intel_count(b) || whole->lines != split->lines ||
        whole->indicators != split->indicators || whole->bad_lines != split->bad_lines ||
        strcmp(whole->sha256, split->sha256) != 0)
        abort();
    if (whole->indicators + whole->bad_lines > whole->lines)
        abort();
    for (intel_id_t id = 0; id < intel_count(a); id++) {
        if (strcmp(intel_indicator_text(a, id), intel_indicator_text(b, id)) != 0)
            abort();
        check_self_match(a, id);
    }
    /* the input itself as a value of every type */
    intel_id_t hits[INTEL_MAX_HITS];
    for (int t = 0; t < INTEL_NTYPES; t++)
        if (intel_match(a, (intel_type_t)t, (const char *)data, size, hits) > INTEL_MAX_HITS)
            abort();
    intel_free(a);
    intel_free(b);
    return 0;
}
