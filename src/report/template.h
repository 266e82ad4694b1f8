/*
 * template.h — filling report_templates/ with values.
 *
 * `{{name}}` is replaced by the value HTML-escaped (text and attribute safe);
 * `{{{name}}}` by the value as is — only for HTML this program generated
 * itself, with every piece of traffic data escaped inside it.  Unknown names
 * become empty.  Templates are compiled into the binary (embed.cmake).
 */
#ifndef PCAPCASE_TEMPLATE_H
#define PCAPCASE_TEMPLATE_H

#include "core/buf.h"

#include <stddef.h>
#include <stdio.h>

/* The embedded file name ("report.html"), or NULL. */
const char *template_get(const char *name, size_t *len);

typedef struct tpl_var {
    const char *name;
    const char *value;
} tpl_var_t;

/* Render tpl (len bytes) with vars (NULL-name terminated) into out. */
void template_render(const char *tpl, size_t len, const tpl_var_t *vars, buf_t *out);
/* The same, written to f: the raw values ({{{name}}}: the page's data,
 * megabytes) go out as they are, not copied into a page first.  0, or -1
 * when f is in error (errno from the failed write). */
int template_write(const char *tpl, size_t len, const tpl_var_t *vars, FILE *f);

/* A raw value made as it is written (the page's data: megabytes of rows,
 * never held at once).  emit appends it to out; with f it may write out's
 * bytes to f as they pile up (and clear out), the rest is written after. */
typedef struct tpl_stream {
    const char *name;
    void (*emit)(void *ctx, buf_t *out, FILE *f);
    void *ctx;
} tpl_stream_t;
/* template_write, with {{{stream->name}}} made by stream->emit. */
int template_write_streamed(const char *tpl, size_t len, const tpl_var_t *vars,
                            const tpl_stream_t *stream, FILE *f);

/* HTML-escape n bytes (& < > " ' and control characters) into out. */
void html_escape(buf_t *out, const char *s, size_t n);
/* Append JSON text safely inside <script type="application/json">: '<',
 * '>', '&', U+2028 and U+2029 become \\u escapes. */
void json_for_script(buf_t *out, const char *json, size_t n);

#endif
