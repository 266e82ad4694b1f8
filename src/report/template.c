/* template.c — see template.h. */
#include "template.h"

#include <stdbool.h>
#include <string.h>

/* Bytes html_escape keeps as they are (every other one is looked at). */
static bool html_plain(unsigned char c)
{
    return c >= 0x20 ? c != '&' && c != '<' && c != '>' && c != '"' && c != '\''
                     : c == '\n' || c == '\t';
}

void html_escape(buf_t *out, const char *s, size_t n)
{
    buf_reserve(out, n);
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && html_plain((unsigned char)s[run]))
            run++;
        if (run > i) { /* copied whole: most text needs no escape */
            buf_append(out, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = (unsigned char)s[i++];
        switch (c) {
        case '&':
            buf_append_str(out, "&amp;");
            break;
        case '<':
            buf_append_str(out, "&lt;");
            break;
        case '>':
            buf_append_str(out, "&gt;");
            break;
        case '"':
            buf_append_str(out, "&quot;");
            break;
        case '\'':
            buf_append_str(out, "&#39;");
            break;
        default: /* a control character */
            buf_printf(out, "&#%u;", c == 0 ? 0xFFFD : c);
        }
    }
}

/* Bytes json_for_script keeps as they are. */
static bool script_plain(unsigned char c)
{
    return c != '<' && c != '>' && c != '&' && c != 0xE2;
}

void json_for_script(buf_t *out, const char *s, size_t n)
{
    buf_reserve(out, n);
    for (size_t i = 0; i < n; i++) {
        size_t run = i;
        while (run < n && script_plain((unsigned char)s[run]))
            run++;
        if (run > i) { /* copied whole: most of a log row needs no escape */
            buf_append(out, s + i, run - i);
            i = run - 1;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '<')
            buf_append_str(out, "\\u003c");
        else if (c == '>')
            buf_append_str(out, "\\u003e");
        else if (c == '&')
            buf_append_str(out, "\\u0026");
        else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            buf_append_str(out, (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
            i += 2;
        } else
            buf_append_byte(out, c);
    }
}

static const char *lookup(const tpl_var_t *vars, const char *name, size_t n)
{
    for (const tpl_var_t *v = vars; v->name; v++)
        if (strlen(v->name) == n && memcmp(v->name, name, n) == 0)
            return v->value ? v->value : "";
    return "";
}

/* Render into out; with f, each raw value goes to f as it is, after out's
 * bytes so far (out then holds only what follows the last one). */
static void render(const char *tpl, size_t len, const tpl_var_t *vars, const tpl_stream_t *stream,
                   buf_t *out, FILE *f)
{
    size_t i = 0;
    while (i < len) {
        const char *open = memchr(tpl + i, '{', len - i);
        if (!open || (size_t)(open - tpl) + 1 >= len || open[1] != '{') {
            size_t k = open ? (size_t)(open - tpl) + 1 - i : len - i;
            buf_append(out, tpl + i, k);
            i += k;
            continue;
        }
        buf_append(out, tpl + i, (size_t)(open - tpl) - i);
        size_t at = (size_t)(open - tpl);
        bool raw = at + 2 < len && tpl[at + 2] == '{';
        size_t start = at + (raw ? 3 : 2);
        const char *close = NULL;
        for (size_t j = start; j + (raw ? 2 : 1) < len; j++)
            if (tpl[j] == '}' && tpl[j + 1] == '}' && (!raw || tpl[j + 2] == '}')) {
                close = tpl + j;
                break;
            }
        if (!close) {
            buf_append(out, tpl + at, len - at);
            return;
        }
        size_t nlen = (size_t)(close - tpl) - start;
        const char *val = lookup(vars, tpl + start, nlen);
        bool streamed = raw && stream && strlen(stream->name) == nlen &&
                        memcmp(stream->name, tpl + start, nlen) == 0;
        if (raw && f) {   /* what came before goes first */
            if (out->len) /* (fwrite of nothing from a buffer never filled: NULL) */
                fwrite(out->data, 1, out->len, f);
            buf_clear(out);
        }
        if (streamed)
            stream->emit(stream->ctx, out, f);
        else if (raw && f)
            fwrite(val, 1, strlen(val), f);
        else if (raw)
            buf_append_str(out, val);
        else
            html_escape(out, val, strlen(val));
        i = (size_t)(close - tpl) + (raw ? 3 : 2);
    }
}

void template_render(const char *tpl, size_t len, const tpl_var_t *vars, buf_t *out)
{
    render(tpl, len, vars, NULL, out, NULL);
}

int template_write(const char *tpl, size_t len, const tpl_var_t *vars, FILE *f)
{
    return template_write_streamed(tpl, len, vars, NULL, f);
}

int template_write_streamed(const char *tpl, size_t len, const tpl_var_t *vars,
                            const tpl_stream_t *stream, FILE *f)
{
    buf_t rest = BUF_INIT;
    render(tpl, len, vars, stream, &rest, f);
    if (rest.len)
        fwrite(rest.data, 1, rest.len, f);
    buf_free(&rest);
    return ferror(f) ? -1 : 0;
}
