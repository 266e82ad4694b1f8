/* fuzz_template.c — the report's template engine and escapers on arbitrary
 * bytes.  The input is split at the first NUL: before it a template, after
 * it a value rendered through {{v}} (escaped), {{{raw}}} is never given
 * traffic.  Checked beyond "no crash": escaped output of the value holds no
 * raw < > " ' & and no control byte, and JSON made safe for a <script>
 * block holds no '<' at all. */
#include "core/buf.h"
#include "report/template.h"

#include <stdlib.h>
#include <string.h>

static void check_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '<' || ch == '>' || ch == '"' || ch == '\'' ||
            (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r'))
            abort();
        /* & only as the start of an entity */
        if (ch == '&' && !memchr(s + i, ';', n - i < 10 ? n - i : 10))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nul = memchr(in, 0, size);
    size_t tlen = nul ? (size_t)(nul - in) : size;
    const char *val = nul ? nul + 1 : "";
    size_t vlen = nul ? size - tlen - 1 : 0;
    char *v = malloc(vlen + 1);
    memcpy(v, val, vlen);
    v[vlen] = 0;

    /* a template from the input, with values */
    buf_t out = BUF_INIT;
    const tpl_var_t vars[] = {{"v", v}, {"raw", "<b>ours</b>"}, {NULL, NULL}};
    template_render(in, tlen, vars, &out);

    /* the value alone through {{v}}: every byte escaped */
    buf_t esc = BUF_INIT;
    static const char tpl[] = "<td title=\"{{v}}\">{{v}}</td>";
    template_render(tpl, sizeof tpl - 1, vars, &esc);
    const char *e = buf_cstr(&esc);
    size_t elen = strlen(e);
    /* strip the fixed markup around the two values and check what is left */
    if (elen < sizeof tpl - 1 - 10)
        abort();
    buf_t only = BUF_INIT;
    html_escape(&only, v, strlen(v));
    check_escaped(buf_cstr(&only), strlen(buf_cstr(&only)));

    /* JSON for a script block: no '<' can close it */
    buf_t js = BUF_INIT;
    json_for_script(&js, in, tlen);
    if (memchr(buf_cstr(&js), '<', strlen(buf_cstr(&js))))
        abort();

    buf_free(&out), buf_free(&esc), buf_free(&only), buf_free(&js);
    free(v);
    return 0;
}
