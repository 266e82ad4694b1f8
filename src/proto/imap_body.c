/* imap_body.c — IMAP BODYSTRUCTURE; see imap_body.h. */
#include "imap_body.h"

#include "core/cursor.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The structure read into a tree first: lists, strings, NIL and atoms
 * (numbers).  Its size bounds the work: a structure of IMAP_BODY_MAX_PARTS
 * parts with every extension field fits many times over. */
#define MAX_NODES 8192

enum node_kind { N_LIST, N_STRING, N_NIL, N_ATOM };

typedef struct node {
    enum node_kind kind;
    int first, next; /* list: first child; every node: next sibling (-1: none) */
    char *text;      /* string or atom */
} node_t;

typedef struct tree {
    node_t *v;
    int n, cap;
} tree_t;

static int add(tree_t *t, enum node_kind kind)
{
    if (t->n >= MAX_NODES)
        return -1;
    if (t->n == t->cap) { /* most structures are a few dozen nodes */
        t->cap = t->cap ? 2 * t->cap : 64;
        t->v = xreallocarray(t->v, (size_t)t->cap, sizeof *t->v);
    }
    t->v[t->n] = (node_t){kind, -1, -1, NULL};
    return t->n++;
}

static void skip_blanks(cursor_t *c)
{
    uint8_t b;
    while (cursor_peek_u8(c, &b) && b == ' ')
        cursor_skip(c, 1);
}

/* A quoted string (after its opening quote), its escapes undone and cut at
 * IMAP_BODY_MAX_STRING bytes. */
static char *quoted(cursor_t *c)
{
    char buf[IMAP_BODY_MAX_STRING + 1];
    size_t len = 0;
    uint8_t b;
    while (cursor_u8(c, &b)) {
        if (b == '"') {
            buf[len] = '\0';
            return xstrdup(buf);
        }
        if (b == '\\' && !cursor_u8(c, &b))
            break;
        if (len < IMAP_BODY_MAX_STRING)
            buf[len++] = (char)b;
    }
    return NULL; /* unterminated */
}

/* One element at c; its index, or -1 when the text is not a structure. */
static int element(tree_t *t, cursor_t *c, unsigned depth)
{
    uint8_t b;
    skip_blanks(c);
    if (!cursor_peek_u8(c, &b))
        return -1;
    if (b == '(') {
        if (depth >= IMAP_BODY_MAX_DEPTH * 4) /* a part nests envelope and parameter lists */
            return -1;
        cursor_skip(c, 1);
        int me = add(t, N_LIST), last = -1;
        if (me < 0)
            return -1;
        for (;;) {
            skip_blanks(c);
            if (!cursor_peek_u8(c, &b))
                return -1;
            if (b == ')') {
                cursor_skip(c, 1);
                return me;
            }
            int child = element(t, c, depth + 1);
            if (child < 0)
                return -1;
            if (last < 0)
                t->v[me].first = child;
            else
                t->v[last].next = child;
            last = child;
        }
    }
    if (b == '"') {
        cursor_skip(c, 1);
        char *s = quoted(c);
        int me = s ? add(t, N_STRING) : -1;
        if (me < 0) {
            free(s);
            return -1;
        }
        t->v[me].text = s;
        return me;
    }
    if (b == '{') /* a literal: its bytes are not in this text */
        return -1;
    const uint8_t *start = c->p;
    size_t len = 0;
    while (cursor_peek_u8(c, &b) && b != ' ' && b != '(' && b != ')' && b != '"') {
        cursor_skip(c, 1);
        len++;
    }
    if (!len)
        return -1;
    char *atom =
        xstrndup((const char *)start, len > IMAP_BODY_MAX_STRING ? IMAP_BODY_MAX_STRING : len);
    int me = add(t, strcasecmp(atom, "NIL") == 0 ? N_NIL : N_ATOM);
    if (me < 0) {
        free(atom);
        return -1;
    }
    t->v[me].text = atom;
    return me;
}

/* The i-th child of list l (0-based), or -1. */
static int child(const tree_t *t, int l, int i)
{
    if (l < 0 || t->v[l].kind != N_LIST)
        return -1;
    int k = t->v[l].first;
    while (k >= 0 && i-- > 0)
        k = t->v[k].next;
    return k;
}

static const char *str(const tree_t *t, int k)
{
    return k >= 0 && t->v[k].kind == N_STRING ? t->v[k].text : "";
}

/* The value of parameter name (or name*) in a parameter list: "" when
 * absent; *ext set for the RFC 2231 form. */
static const char *param(const tree_t *t, int list, const char *name, bool *ext)
{
    size_t n = strlen(name);
    for (int k = child(t, list, 0); k >= 0; k = t->v[k].next) {
        int v = t->v[k].next;
        if (v < 0)
            break;
        const char *key = str(t, k);
        if (strcasecmp(key, name) == 0) {
            *ext = false;
            return str(t, v);
        }
        if (strncasecmp(key, name, n) == 0 && strcmp(key + n, "*") == 0) {
            *ext = true;
            return str(t, v);
        }
        k = v;
    }
    return "";
}

typedef struct walk {
    const tree_t *t;
    imap_part_t *parts;
    size_t nparts, cap;
    bool failed;
} walk_t;

static void set(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s);
}

static void body(walk_t *w, int b, const char *section, unsigned depth);

/* A message/rfc822 part's body is numbered inside the part. */
static void encapsulated(walk_t *w, int b, const char *section, unsigned depth)
{
    const tree_t *t = w->t;
    if (child(t, b, 0) >= 0 && t->v[child(t, b, 0)].kind == N_LIST) {
        body(w, b, section, depth + 1);
    } else {
        char sub[sizeof w->parts->section];
        if ((size_t)snprintf(sub, sizeof sub, "%s.1", section) >= sizeof sub)
            w->failed = true; /* deeper than a section number can say */
        else
            body(w, b, sub, depth + 1);
    }
}

static void body(walk_t *w, int b, const char *section, unsigned depth)
{
    const tree_t *t = w->t;
    if (w->failed || b < 0 || t->v[b].kind != N_LIST || depth > IMAP_BODY_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    int first = child(t, b, 0);
    if (first >= 0 && t->v[first].kind == N_LIST) { /* multipart: the children, then the subtype */
        unsigned i = 1;
        for (int k = first; k >= 0 && t->v[k].kind == N_LIST; k = t->v[k].next, i++) {
            char sub[sizeof w->parts->section];
            int len = section[0] ? snprintf(sub, sizeof sub, "%s.%u", section, i)
                                 : snprintf(sub, sizeof sub, "%u", i);
            if (len < 0 || (size_t)len >= sizeof sub) {
                w->failed = true;
                return;
            }
            body(w, k, sub, depth + 1);
        }
        return;
    }
    if (w->nparts >= IMAP_BODY_MAX_PARTS) {
        w->failed = true;
        return;
    }
    if (w->nparts == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 8;
        w->parts = xreallocarray(w->parts, w->cap, sizeof *w->parts);
    }
    imap_part_t *p = &w->parts[w->nparts++];
    memset(p, 0, sizeof *p);
    set(p->section, sizeof p->section, section[0] ? section : "1");
    set(p->type, sizeof p->type, str(t, child(t, b, 0)));
    set(p->subtype, sizeof p->subtype, str(t, child(t, b, 1)));
    set(p->encoding, sizeof p->encoding, str(t, child(t, b, 5)));
    bool is_text = strcasecmp(p->type, "text") == 0;
    bool is_msg = strcasecmp(p->type, "message") == 0 &&
                  (strcasecmp(p->subtype, "rfc822") == 0 || strcasecmp(p->subtype, "global") == 0);
    /* extension data starts after the fields of the part's kind: the
     * disposition is the second extension field (after the MD5) */
    int dsp = child(t, b, is_msg ? 11 : is_text ? 9 : 8);
    bool ext = false;
    const char *fn = dsp >= 0 ? param(t, child(t, dsp, 1), "filename", &ext) : "";
    if (!fn[0])
        fn = param(t, child(t, b, 2), "name", &ext);
    set(p->filename, sizeof p->filename, fn);
    p->filename_extended = fn[0] && ext;
    if (is_msg) /* its own parts are numbered inside it */
        encapsulated(w, child(t, b, 8), p->section, depth);
}

bool imap_bodystructure(const uint8_t *p, size_t n, imap_part_fn fn, void *ctx)
{
    cursor_t c = cursor_make(p, n);
    tree_t t = {NULL, 0, 0};
    int root = element(&t, &c, 0);
    walk_t w = {&t, NULL, 0, 0, root < 0};
    if (!w.failed)
        body(&w, root, "", 0);
    if (!w.failed)
        for (size_t i = 0; i < w.nparts; i++)
            fn(ctx, &w.parts[i]);
    for (int i = 0; i < t.n; i++)
        free(t.v[i].text);
    free(t.v);
    free(w.parts);
    return !w.failed;
}
