/* xlsx_book.c — the streaming XLSX writer; see xlsx_book.h.
 *
 * The parts follow what Excel (and libxlsxwriter, which this replaced)
 * writes: [Content_Types].xml, _rels/.rels, docProps/{app,core}.xml,
 * xl/workbook.xml and its rels, xl/styles.xml, xl/worksheets/sheetN.xml
 * (with _rels for links, drawings and comments), xl/drawings/drawingN.xml,
 * xl/media/imageN.png, xl/commentsN.xml and xl/drawings/vmlDrawingN.vml,
 * xl/sharedStrings.xml when a text repeats (xlsx_strings.h).
 * No theme part: the fonts name their colours and faces themselves. */
#include "report/xlsx_book.h"

#include "core/xalloc.h"
#include "report/xlsx_strings.h"
#include "report/zip_writer.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* zlib level of every part.  On the 1 GB benchmark case's 21.8 MB of sheet
 * XML (docs/performance.md): level 6 (zlib's default, libxlsxwriter's) 0.42 s
 * for 3.27 MB, level 1 0.13 s for 4.02 MB, level 2 0.13 s for 3.85 MB,
 * level 3 0.21 s for 3.70 MB; Z_RLE or Huffman only are slower there and
 * three times larger. */
#define XLSX_DEFLATE_LEVEL 2
/* Sheet XML gathered before it is handed to zlib: large enough that the
 * per-call cost vanishes, small enough to be nothing beside the rows. */
#define XLSX_CHUNK (256 * 1024)
/* A sheet's compressed rows are kept in memory up to this size (the largest
 * sheet of the 1 GB benchmark case packs into 1.3 MB), then go on in a
 * temporary file: a sheet of millions of rows does not grow the memory. */
#define XLSX_SPILL (8 * 1024 * 1024)
/* Excel's limits: characters in a cell, hyperlinks in a worksheet. */
#define XLSX_MAX_CHARS 32767
#define XLSX_MAX_LINKS 65530
/* Excel's default column width and row height in pixels (Calibri 11), and
 * EMUs (drawing units) per pixel at 96 dpi: where images are anchored. */
#define XLSX_COL_PX 64
#define XLSX_ROW_PX 20
#define XLSX_EMU_PX 9525

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define CT_PREFIX "application/vnd.openxmlformats-officedocument."

typedef struct width {
    int first, last;
    double width;
} width_t;

typedef struct note {
    unsigned long row;
    int col;
    char *text;
} note_t;

typedef struct image {
    unsigned long row;
    int col;
    char *name; /* the file's name, the picture's description */
    unsigned width_px, height_px;
    int media; /* xl/media/imageN.png */
} image_t;

struct xlsx_sheet {
    xlsx_book_t *b;
    int index; /* sheetN.xml, 1-based, the workbook's order */
    char *name;
    bool frozen, done, started;
    width_t *widths;
    size_t nwidths;
    /* the rows: XML gathered in xml, deflated into packed, moved to the
     * temporary file tmp when that grows past XLSX_SPILL */
    FILE *tmp;
    buf_t packed;
    zdef_t *z;
    buf_t xml;
    long long open_row; /* the <row> open, or -1 */
    int last_col;       /* its last cell's column, -1 before the first */
    bool any;
    unsigned long max_row;
    int max_col;
    bool filter;
    unsigned long filter_row;
    int filter_col;
    buf_t links, link_rels; /* <hyperlink> elements and their relationships */
    size_t nlinks;
    note_t *notes;
    size_t nnotes;
    image_t *images;
    size_t nimages;
    int drawing, vml; /* drawingN.xml / commentsN.xml + vmlDrawingN.vml, or 0 */
};

struct xlsx_book {
    FILE *out;
    zip_writer_t *zip;
    xlsx_look_t look;
    xlsx_sheet_t **sheets;
    size_t nsheets;
    int ndrawings, nvml, nmedia;
    xlsx_strings_t *strings; /* texts that repeat */
    int err;                 /* errno of the first failure (-1: not a system error) */
    char errmsg[1024];       /* what failed */
};

static void fail(xlsx_book_t *b, int e, const char *what)
{
    if (b->err)
        return;
    b->err = e ? e : -1;
    snprintf(b->errmsg, sizeof b->errmsg, "%s%s%s", what, e ? ": " : "", e ? strerror(e) : "");
}

/* ---- text ---- */

/* Bytes that need more than a copy in element text: & < > and the C0
 * controls XML 1.0 forbids (all but tab, newline, carriage return), and '_'
 * (it might start what reads as an _xHHHH_ escape). */
static bool special(unsigned char c)
{
    return c == '&' || c == '<' || c == '>' || c == '_' ||
           (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Does s[i..] read as _xHHHH_? */
static bool looks_escaped(const char *s, size_t n, size_t i)
{
    return i + 7 <= n && s[i + 1] == 'x' && is_hex(s[i + 2]) && is_hex(s[i + 3]) &&
           is_hex(s[i + 4]) && is_hex(s[i + 5]) && s[i + 6] == '_';
}

void xlsx_escape(buf_t *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!special(c))
            continue;
        if (c == '_' && !looks_escaped(s, n, i))
            continue;
        buf_append(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '&':
            buf_append(out, "&amp;", 5);
            break;
        case '<':
            buf_append(out, "&lt;", 4);
            break;
        case '>':
            buf_append(out, "&gt;", 4);
            break;
        default: {
            char e[8];
            snprintf(e, sizeof e, "_x%04X_", c);
            buf_append(out, e, 7);
        }
        }
    }
    buf_append(out, s + run, n - run);
}

/* Length in bytes of the first XLSX_MAX_CHARS characters of s (UTF-8). */
static size_t cut_to_limit(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > XLSX_MAX_CHARS)
            return i;
    return n;
}

size_t xlsx_format_number(char *out, double v)
{
    /* integers below 10^15 print the same as %.16G, without its cost */
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
        long long i = (long long)v;
        char tmp[24];
        size_t n = 0, k = 0;
        unsigned long long u = i < 0 ? (unsigned long long)-i : (unsigned long long)i;
        do
            tmp[n++] = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        if (i < 0 || (i == 0 && 1 / v < 0))
            out[k++] = '-';
        while (n)
            out[k++] = tmp[--n];
        out[k] = 0;
        return k;
    }
    int n = snprintf(out, 32, "%.16G", v);
    return n < 0 ? 0 : (size_t)n;
}

/* "AB12" of a cell. */
static size_t cell_ref(char *out, unsigned long row, int col)
{
    char l[4];
    size_t n = 0, k = 0;
    unsigned c = (unsigned)col + 1;
    while (c) {
        l[n++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    while (n)
        out[k++] = l[--n];
    char d[24];
    unsigned long r = row + 1;
    n = 0;
    do
        d[n++] = (char)('0' + r % 10);
    while ((r /= 10) != 0);
    while (n)
        out[k++] = d[--n];
    out[k] = 0;
    return k;
}

/* ---- the book ---- */

xlsx_book_t *xlsx_book_open(const char *path, const xlsx_look_t *look, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return NULL;
    }
    xlsx_book_t *b = xcalloc(1, sizeof *b);
    b->out = f;
    b->zip = zip_open(f);
    b->look = *look;
    b->strings = xlsx_strings_new();
    return b;
}

xlsx_sheet_t *xlsx_add_sheet(xlsx_book_t *b, const char *name)
{
    xlsx_sheet_t *s = xcalloc(1, sizeof *s);
    s->b = b;
    s->name = xstrdup(name);
    s->open_row = -1;
    b->sheets = xrealloc(b->sheets, (b->nsheets + 1) * sizeof *b->sheets);
    b->sheets[b->nsheets++] = s;
    s->index = (int)b->nsheets;
    return s;
}

void xlsx_freeze_top_row(xlsx_sheet_t *s)
{
    s->frozen = true;
}

void xlsx_set_width(xlsx_sheet_t *s, int first, int last, double width)
{
    s->widths = xrealloc(s->widths, (s->nwidths + 1) * sizeof *s->widths);
    s->widths[s->nwidths++] = (width_t){first, last, width};
}

/* The rows' stream, opened at the first cell. */
static bool start(xlsx_sheet_t *s)
{
    if (s->b->err || s->done)
        return false;
    if (s->started)
        return true;
    s->started = true;
    s->z = xmalloc(sizeof *s->z);
    if (zdef_init(s->z, XLSX_DEFLATE_LEVEL, NULL, &s->packed) != 0) {
        fail(s->b, ENOMEM, "zlib");
        return false;
    }
    buf_reserve(&s->xml, XLSX_CHUNK + 4096);
    buf_append_str(&s->xml, "<sheetData>");
    return true;
}

static void drain(xlsx_sheet_t *s)
{
    zdef_write(s->z, s->xml.data, s->xml.len);
    buf_clear(&s->xml);
    if (!s->tmp && s->packed.len > XLSX_SPILL) { /* from now on into a file */
        s->tmp = tmpfile();
        if (!s->tmp || fwrite(s->packed.data, 1, s->packed.len, s->tmp) != s->packed.len) {
            fail(s->b, errno, "temporary file for a sheet");
            return;
        }
        buf_free(&s->packed);
        s->z->file = s->tmp;
    }
    if (s->z->err)
        fail(s->b, s->z->err, "writing a sheet's temporary file");
}

/* The cell's opening "<c r=.. s=..", its row opened first.  The reference
 * is left out when the cell is the one after the row's last (the first of
 * the row: column A): a cell without one is in the next column (ECMA-376
 * 18.3.1.4; Excel, LibreOffice, openpyxl and POI read it so).  A quarter
 * of the sheets' bytes went to references before. */
static void cell_open(xlsx_sheet_t *s, unsigned long row, int col, xlsx_style_t st)
{
    char ref[40];
    if ((long long)row != s->open_row) {
        if (s->open_row >= 0)
            buf_append(&s->xml, "</row>", 6);
        if (s->xml.len >= XLSX_CHUNK)
            drain(s);
        buf_append(&s->xml, "<row r=\"", 8);
        buf_append(&s->xml, ref, xlsx_format_number(ref, (double)(row + 1)));
        buf_append(&s->xml, "\">", 2);
        s->open_row = (long long)row;
        s->last_col = -1;
    }
    if (row > s->max_row)
        s->max_row = row;
    if (col > s->max_col)
        s->max_col = col;
    s->any = true;
    if (col == s->last_col + 1)
        buf_append(&s->xml, "<c", 2);
    else {
        buf_append(&s->xml, "<c r=\"", 6);
        buf_append(&s->xml, ref, cell_ref(ref, row, col));
        buf_append(&s->xml, "\"", 1);
    }
    s->last_col = col;
    static const char *const style[] = {"", " s=\"1\"", " s=\"2\"", " s=\"3\""};
    buf_append_str(&s->xml, style[st]);
}

/* <t>text</t>, leading or trailing white space kept (as libxlsxwriter did). */
static void text_element(buf_t *x, const char *text, size_t n)
{
    bool keep = n && (strchr(" \t\n\r\v\f", text[0]) || strchr(" \t\n\r\v\f", text[n - 1]));
    buf_append_str(x, keep ? "<t xml:space=\"preserve\">" : "<t>");
    xlsx_escape(x, text, n);
    buf_append_str(x, "</t>");
}

static void put_string(xlsx_sheet_t *s, unsigned long row, int col, const char *text,
                       xlsx_style_t st)
{
    size_t n = strlen(text);
    n = cut_to_limit(text, n);
    if (n == 0) { /* no cell, or a blank one that keeps its style (as libxlsxwriter) */
        if (st != XLSX_PLAIN) {
            cell_open(s, row, col, st);
            buf_append(&s->xml, "/>", 2);
        }
        return;
    }
    cell_open(s, row, col, st);
    long shared = xlsx_strings_index(s->b->strings, text, n);
    if (shared >= 0) {
        char num[40];
        size_t k = xlsx_format_number(num, (double)shared); /* an integer: no printf */
        buf_append(&s->xml, " t=\"s\"><v>", 10);
        buf_append(&s->xml, num, k);
        buf_append(&s->xml, "</v></c>", 8);
        return;
    }
    buf_append_str(&s->xml, " t=\"inlineStr\"><is>");
    text_element(&s->xml, text, n);
    buf_append_str(&s->xml, "</is></c>");
}

void xlsx_string(xlsx_sheet_t *s, unsigned long row, int col, const char *text, xlsx_style_t st)
{
    if (start(s))
        put_string(s, row, col, text, st);
}

void xlsx_number(xlsx_sheet_t *s, unsigned long row, int col, double v, xlsx_style_t st)
{
    if (!start(s))
        return;
    char num[40];
    size_t n = xlsx_format_number(num, v);
    cell_open(s, row, col, st);
    buf_append(&s->xml, "><v>", 4);
    buf_append(&s->xml, num, n);
    buf_append(&s->xml, "</v></c>", 8);
}

void xlsx_bool(xlsx_sheet_t *s, unsigned long row, int col, bool v)
{
    if (!start(s))
        return;
    cell_open(s, row, col, XLSX_PLAIN);
    buf_append_str(&s->xml, v ? " t=\"b\"><v>1</v></c>" : " t=\"b\"><v>0</v></c>");
}

static void attr_escape(buf_t *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '"')
            buf_append_str(out, "&quot;");
        else if (*s == '&')
            buf_append_str(out, "&amp;");
        else if (*s == '<')
            buf_append_str(out, "&lt;");
        else if (*s == '>')
            buf_append_str(out, "&gt;");
        else if ((unsigned char)*s >= 0x20)
            buf_append_byte(out, (uint8_t)*s);
    }
}

void xlsx_link(xlsx_sheet_t *s, unsigned long row, int col, const char *target, const char *text)
{
    if (!start(s))
        return;
    if (s->nlinks >= XLSX_MAX_LINKS) {
        put_string(s, row, col, text, XLSX_PLAIN);
        return;
    }
    put_string(s, row, col, text, XLSX_LINK);
    char ref[40];
    cell_ref(ref, row, col);
    s->nlinks++;
    buf_printf(&s->links, "<hyperlink ref=\"%s\" r:id=\"rId%zu\"/>", ref, s->nlinks);
    buf_printf(&s->link_rels, "<Relationship Id=\"rId%zu\" Type=\"" NS_REL "/hyperlink\" Target=\"",
               s->nlinks);
    attr_escape(&s->link_rels, target);
    buf_append_str(&s->link_rels, "\" TargetMode=\"External\"/>");
}

void xlsx_autofilter(xlsx_sheet_t *s, unsigned long last_row, int last_col)
{
    s->filter = true;
    s->filter_row = last_row, s->filter_col = last_col;
}

void xlsx_comment(xlsx_sheet_t *s, unsigned long row, int col, const char *text)
{
    s->notes = xrealloc(s->notes, (s->nnotes + 1) * sizeof *s->notes);
    s->notes[s->nnotes++] = (note_t){row, col, xstrdup(text)};
}

/* ---- images ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Width, height and resolution (dots per inch, 96 when not said) of a PNG. */
static bool png_size(const unsigned char *d, size_t n, unsigned *w, unsigned *h, double *dx,
                     double *dy)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < 33 || memcmp(d, sig, 8) != 0 || memcmp(d + 12, "IHDR", 4) != 0)
        return false;
    *w = be32(d + 16), *h = be32(d + 20);
    *dx = *dy = 96;
    for (size_t i = 8; i + 12 <= n;) {
        uint32_t len = be32(d + i);
        if (len > n - i - 12)
            break;
        if (memcmp(d + i + 4, "pHYs", 4) == 0 && len >= 9 && d[i + 16] == 1) {
            /* pixels per metre */
            double px = be32(d + i + 8), py = be32(d + i + 12);
            if (px > 0 && py > 0)
                *dx = px * 0.0254, *dy = py * 0.0254;
        }
        if (memcmp(d + i + 4, "IDAT", 4) == 0)
            break;
        i += 12 + (size_t)len;
    }
    return *w > 0 && *h > 0;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf_t b = BUF_INIT;
    unsigned char chunk[1 << 16];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, got);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        buf_free(&b);
        return NULL;
    }
    *n = b.len;
    return b.data ? b.data : xcalloc(1, 1);
}

int xlsx_image(xlsx_sheet_t *s, unsigned long row, int col, const char *path, double scale)
{
    xlsx_book_t *b = s->b;
    if (b->err)
        return -1;
    size_t n = 0;
    unsigned char *d = slurp(path, &n);
    unsigned w, h;
    double dx, dy;
    if (!d) {
        char what[600];
        snprintf(what, sizeof what, "%s: cannot read", path);
        fail(b, errno, what);
        return -1;
    }
    if (!png_size(d, n, &w, &h, &dx, &dy)) {
        char what[600];
        snprintf(what, sizeof what, "%s: not a PNG image", path);
        fail(b, 0, what);
        free(d);
        return -1;
    }
    char part[64];
    snprintf(part, sizeof part, "xl/media/image%d.png", ++b->nmedia);
    zip_add(b->zip, part, d, n, 0); /* PNG is deflated already: stored */
    free(d);
    const char *base = strrchr(path, '/');
    s->images = xrealloc(s->images, (s->nimages + 1) * sizeof *s->images);
    s->images[s->nimages++] = (image_t){row,
                                        col,
                                        xstrdup(base ? base + 1 : path),
                                        (unsigned)(w * scale * 96 / dx + 0.5),
                                        (unsigned)(h * scale * 96 / dy + 0.5),
                                        b->nmedia};
    return 0;
}

/* ---- a sheet's parts ---- */

static void head_xml(const xlsx_sheet_t *s, buf_t *h)
{
    char z[40];
    buf_append_str(h, XML_DECL "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">");
    cell_ref(z, s->max_row, s->max_col);
    if (s->any && (s->max_row || s->max_col))
        buf_printf(h, "<dimension ref=\"A1:%s\"/>", z);
    else
        buf_append_str(h, "<dimension ref=\"A1\"/>");
    buf_printf(h, "<sheetViews><sheetView%s workbookViewId=\"0\"",
               s->index == 1 ? " tabSelected=\"1\"" : "");
    if (s->frozen)
        buf_append_str(h, "><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
                          "state=\"frozen\"/><selection pane=\"bottomLeft\"/></sheetView>");
    else
        buf_append_str(h, "/>");
    buf_append_str(h, "</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
    if (s->nwidths) {
        buf_append_str(h, "<cols>");
        for (size_t i = 0; i < s->nwidths; i++) {
            /* Excel's stored width: characters of 7 pixels plus 5 pixels of
             * padding, in 1/256ths (as libxlsxwriter computes it) */
            double w = s->widths[i].width;
            w = w < 1 ? (double)(uint16_t)((uint16_t)(w * 12 + 0.5) / 7.0 * 256.0) / 256.0
                      : (double)(uint16_t)(((uint16_t)(w * 7 + 0.5) + 5) / 7.0 * 256.0) / 256.0;
            buf_printf(h, "<col min=\"%d\" max=\"%d\" width=\"%.16G\" customWidth=\"1\"/>",
                       s->widths[i].first + 1, s->widths[i].last + 1, w);
        }
        buf_append_str(h, "</cols>");
    }
}

static void tail_xml(xlsx_sheet_t *s, buf_t *t)
{
    if (s->open_row >= 0)
        buf_append_str(t, "</row>");
    buf_append_str(t, "</sheetData>");
    if (s->filter) {
        char z[40];
        cell_ref(z, s->filter_row, s->filter_col);
        buf_printf(t, "<autoFilter ref=\"A1:%s\"/>", z);
    }
    if (s->nlinks) {
        buf_append_str(t, "<hyperlinks>");
        buf_append(t, s->links.data, s->links.len);
        buf_append_str(t, "</hyperlinks>");
    }
    buf_append_str(t, "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" "
                      "header=\"0.3\" footer=\"0.3\"/>");
    size_t rid = s->nlinks;
    if (s->nimages)
        buf_printf(t, "<drawing r:id=\"rId%zu\"/>", ++rid);
    if (s->nnotes)
        buf_printf(t, "<legacyDrawing r:id=\"rId%zu\"/>", ++rid);
    buf_append_str(t, "</worksheet>");
}

static void add_text(xlsx_book_t *b, const char *name, const buf_t *x)
{
    zip_add(b->zip, name, x->data, x->len, XLSX_DEFLATE_LEVEL);
}

static void drawing_part(xlsx_sheet_t *s)
{
    xlsx_book_t *b = s->b;
    buf_t x = BUF_INIT, r = BUF_INIT;
    s->drawing = ++b->ndrawings;
    buf_append_str(&x, XML_DECL "<xdr:wsDr xmlns:xdr=\"http://schemas.openxmlformats.org/"
                                "drawingml/2006/spreadsheetDrawing\" xmlns:a=\"http://"
                                "schemas.openxmlformats.org/drawingml/2006/main\">");
    buf_append_str(&r, XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">");
    for (size_t i = 0; i < s->nimages; i++) {
        const image_t *m = &s->images[i];
        unsigned long x0 = (unsigned long)m->col * XLSX_COL_PX, y0 = m->row * XLSX_ROW_PX;
        unsigned long x1 = x0 + m->width_px, y1 = y0 + m->height_px;
        buf_printf(&x,
                   "<xdr:twoCellAnchor editAs=\"oneCell\"><xdr:from><xdr:col>%d</xdr:col>"
                   "<xdr:colOff>0</xdr:colOff><xdr:row>%lu</xdr:row><xdr:rowOff>0</xdr:rowOff>"
                   "</xdr:from><xdr:to><xdr:col>%lu</xdr:col><xdr:colOff>%lu</xdr:colOff>"
                   "<xdr:row>%lu</xdr:row><xdr:rowOff>%lu</xdr:rowOff></xdr:to>",
                   m->col, m->row, x1 / XLSX_COL_PX, x1 % XLSX_COL_PX * XLSX_EMU_PX,
                   y1 / XLSX_ROW_PX, y1 % XLSX_ROW_PX * XLSX_EMU_PX);
        buf_printf(&x, "<xdr:pic><xdr:nvPicPr><xdr:cNvPr id=\"%zu\" name=\"Picture %zu\" descr=\"",
                   i + 2, i + 1);
        attr_escape(&x, m->name);
        buf_printf(&x,
                   "\"/><xdr:cNvPicPr><a:picLocks noChangeAspect=\"1\"/></xdr:cNvPicPr>"
                   "</xdr:nvPicPr><xdr:blipFill><a:blip xmlns:r=\"" NS_REL "\" r:embed=\"rId%zu\"/>"
                   "<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:xfrm>"
                   "<a:off x=\"%lu\" y=\"%lu\"/><a:ext cx=\"%lu\" cy=\"%lu\"/></a:xfrm>"
                   "<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>"
                   "<xdr:clientData/></xdr:twoCellAnchor>",
                   i + 1, x0 * XLSX_EMU_PX, y0 * XLSX_EMU_PX,
                   (unsigned long)m->width_px * XLSX_EMU_PX,
                   (unsigned long)m->height_px * XLSX_EMU_PX);
        buf_printf(&r,
                   "<Relationship Id=\"rId%zu\" Type=\"" NS_REL
                   "/image\" Target=\"../media/image%d.png\"/>",
                   i + 1, m->media);
    }
    buf_append_str(&x, "</xdr:wsDr>");
    buf_append_str(&r, "</Relationships>");
    char name[64];
    snprintf(name, sizeof name, "xl/drawings/drawing%d.xml", s->drawing);
    add_text(b, name, &x);
    snprintf(name, sizeof name, "xl/drawings/_rels/drawing%d.xml.rels", s->drawing);
    add_text(b, name, &r);
    buf_free(&x), buf_free(&r);
}

/* The comments part and the VML drawing Excel shows them with. */
static void comment_parts(xlsx_sheet_t *s)
{
    xlsx_book_t *b = s->b;
    buf_t c = BUF_INIT, v = BUF_INIT;
    s->vml = ++b->nvml;
    buf_append_str(&c, XML_DECL "<comments xmlns=\"" NS_MAIN "\"><authors><author>pcapcase"
                                "</author></authors><commentList>");
    buf_printf(&v,
               "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-"
               "com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\">"
               "<o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"%d\"/>"
               "</o:shapelayout><v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" "
               "o:spt=\"202\" path=\"m,l,21600r21600,l21600,xe\"><v:stroke joinstyle=\"miter\"/>"
               "<v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>",
               s->vml);
    for (size_t i = 0; i < s->nnotes; i++) {
        const note_t *n = &s->notes[i];
        char ref[40];
        cell_ref(ref, n->row, n->col);
        buf_printf(&c,
                   "<comment ref=\"%s\" authorId=\"0\"><text><r><rPr><sz val=\"8\"/>"
                   "<color indexed=\"81\"/><rFont val=\"Tahoma\"/><family val=\"2\"/></rPr><t>",
                   ref);
        xlsx_escape(&c, n->text, strlen(n->text));
        buf_append_str(&c, "</t></r></text></comment>");
        buf_printf(&v,
                   "<v:shape id=\"_x0000_s%zu\" type=\"#_x0000_t202\" style=\"position:absolute;"
                   "margin-left:59.25pt;margin-top:1.5pt;width:96pt;height:55.5pt;z-index:%zu;"
                   "visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\">"
                   "<v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/>"
                   "<v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\">"
                   "<div style=\"text-align:left\"></div></v:textbox><x:ClientData "
                   "ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>%d, 15, "
                   "%lu, 2, %d, 15, %lu, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>%lu"
                   "</x:Row><x:Column>%d</x:Column></x:ClientData></v:shape>",
                   (size_t)s->vml * 1024 + 1 + i, i + 1, n->col + 1, n->row, n->col + 3, n->row + 4,
                   n->row, n->col);
    }
    buf_append_str(&c, "</commentList></comments>");
    buf_append_str(&v, "</xml>");
    char name[64];
    snprintf(name, sizeof name, "xl/comments%d.xml", s->vml);
    add_text(b, name, &c);
    snprintf(name, sizeof name, "xl/drawings/vmlDrawing%d.vml", s->vml);
    add_text(b, name, &v);
    buf_free(&c), buf_free(&v);
}

static void sheet_rels(xlsx_sheet_t *s)
{
    if (!s->nlinks && !s->drawing && !s->vml)
        return;
    buf_t r = BUF_INIT;
    buf_append_str(&r, XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">");
    buf_append(&r, s->link_rels.data, s->link_rels.len);
    size_t rid = s->nlinks;
    if (s->drawing)
        buf_printf(&r,
                   "<Relationship Id=\"rId%zu\" Type=\"" NS_REL
                   "/drawing\" Target=\"../drawings/drawing%d.xml\"/>",
                   ++rid, s->drawing);
    if (s->vml) {
        buf_printf(&r,
                   "<Relationship Id=\"rId%zu\" Type=\"" NS_REL
                   "/vmlDrawing\" Target=\"../drawings/vmlDrawing%d.vml\"/>",
                   ++rid, s->vml);
        buf_printf(&r,
                   "<Relationship Id=\"rId%zu\" Type=\"" NS_REL
                   "/comments\" Target=\"../comments%d.xml\"/>",
                   ++rid, s->vml);
    }
    buf_append_str(&r, "</Relationships>");
    char name[64];
    snprintf(name, sizeof name, "xl/worksheets/_rels/sheet%d.xml.rels", s->index);
    add_text(s->b, name, &r);
    buf_free(&r);
}

void xlsx_sheet_done(xlsx_sheet_t *s)
{
    xlsx_book_t *b = s->b;
    if (s->done || !start(s))
        return;
    buf_t tail = BUF_INIT, head = BUF_INIT, packed = BUF_INIT;
    tail_xml(s, &tail);
    buf_append(&s->xml, tail.data, tail.len);
    drain(s);
    if (zdef_end(s->z, true) != 0)
        fail(b, s->z->err, "writing a sheet's temporary file");
    head_xml(s, &head);
    zdef_t *hz = xmalloc(sizeof *hz);
    if (zdef_init(hz, XLSX_DEFLATE_LEVEL, NULL, &packed) != 0) {
        fail(b, ENOMEM, "zlib");
    } else {
        zdef_write(hz, head.data, head.len);
        zdef_end(hz, false); /* the rows' stream follows */
        zip_piece_t p[2] = {
            {.mem = packed.data, .packed = hz->packed, .raw = hz->raw, .crc = hz->crc},
            {.file = s->tmp,
             .mem = s->packed.data,
             .packed = s->z->packed,
             .raw = s->z->raw,
             .crc = s->z->crc}};
        char name[64];
        snprintf(name, sizeof name, "xl/worksheets/sheet%d.xml", s->index);
        if (!b->err)
            zip_add_deflated(b->zip, name, p, 2);
    }
    free(hz);
    if (s->nimages)
        drawing_part(s);
    if (s->nnotes)
        comment_parts(s);
    sheet_rels(s);
    buf_free(&tail), buf_free(&head), buf_free(&packed);
    buf_free(&s->xml), buf_free(&s->links), buf_free(&s->link_rels), buf_free(&s->packed);
    free(s->z);
    s->z = NULL;
    if (s->tmp)
        fclose(s->tmp);
    s->tmp = NULL;
    s->done = true;
}

/* ---- the workbook's parts ---- */

static void content_types(xlsx_book_t *b)
{
    buf_t x = BUF_INIT;
    buf_append_str(&x, XML_DECL "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                                "content-types\"><Default Extension=\"rels\" ContentType=\""
                                "application/vnd.openxmlformats-package.relationships+xml\"/>"
                                "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                                "<Default Extension=\"png\" ContentType=\"image/png\"/>"
                                "<Default Extension=\"vml\" ContentType=\"" CT_PREFIX
                                "vmlDrawing\"/><Override PartName=\"/docProps/app.xml\" "
                                "ContentType=\"" CT_PREFIX "extended-properties+xml\"/>"
                                "<Override PartName=\"/docProps/core.xml\" ContentType=\""
                                "application/vnd.openxmlformats-package.core-properties+xml\"/>"
                                "<Override PartName=\"/xl/styles.xml\" ContentType=\"" CT_PREFIX
                                "spreadsheetml.styles+xml\"/><Override PartName=\"/xl/"
                                "workbook.xml\" ContentType=\"" CT_PREFIX
                                "spreadsheetml.sheet.main+xml\"/>");
    for (size_t i = 0; i < b->nsheets; i++)
        buf_printf(&x,
                   "<Override PartName=\"/xl/worksheets/sheet%zu.xml\" ContentType=\"" CT_PREFIX
                   "spreadsheetml.worksheet+xml\"/>",
                   i + 1);
    for (int i = 1; i <= b->ndrawings; i++)
        buf_printf(&x,
                   "<Override PartName=\"/xl/drawings/drawing%d.xml\" ContentType=\"" CT_PREFIX
                   "drawing+xml\"/>",
                   i);
    for (int i = 1; i <= b->nvml; i++)
        buf_printf(&x,
                   "<Override PartName=\"/xl/comments%d.xml\" ContentType=\"" CT_PREFIX
                   "spreadsheetml.comments+xml\"/>",
                   i);
    if (xlsx_strings_unique(b->strings))
        buf_append_str(&x, "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"" CT_PREFIX
                           "spreadsheetml.sharedStrings+xml\"/>");
    buf_append_str(&x, "</Types>");
    add_text(b, "[Content_Types].xml", &x);
    buf_free(&x);
}

static void doc_props(xlsx_book_t *b, const xlsx_props_t *p)
{
    buf_t x = BUF_INIT;
    buf_append_str(&x,
                   XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\"><Relationship Id=\"rId1\" "
                            "Type=\"" NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/>"
                            "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats."
                            "org/package/2006/relationships/metadata/core-properties\" "
                            "Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"" NS_REL
                            "/extended-properties\" Target=\"docProps/app.xml\"/>"
                            "</Relationships>");
    add_text(b, "_rels/.rels", &x);
    buf_clear(&x);
    buf_printf(&x,
               XML_DECL "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/"
                        "2006/extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/"
                        "officeDocument/2006/docPropsVTypes\"><Application>pcapcase</Application>"
                        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs>"
                        "<vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>"
                        "Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>%zu</vt:i4>"
                        "</vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector "
                        "size=\"%zu\" baseType=\"lpstr\">",
               b->nsheets, b->nsheets);
    for (size_t i = 0; i < b->nsheets; i++) {
        buf_append_str(&x, "<vt:lpstr>");
        xlsx_escape(&x, b->sheets[i]->name, strlen(b->sheets[i]->name));
        buf_append_str(&x, "</vt:lpstr>");
    }
    buf_append_str(&x, "</vt:vector></TitlesOfParts><LinksUpToDate>false</LinksUpToDate>"
                       "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
                       "<AppVersion>12.0000</AppVersion></Properties>");
    add_text(b, "docProps/app.xml", &x);
    buf_clear(&x);
    char when[32] = "1970-01-01T00:00:00Z";
    struct tm tm;
    if (gmtime_r(&p->created, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    buf_append_str(&x,
                   XML_DECL "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/"
                            "package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/"
                            "dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" "
                            "xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http:"
                            "//www.w3.org/2001/XMLSchema-instance\"><dc:title>");
    xlsx_escape(&x, p->title, strlen(p->title));
    buf_append_str(&x, "</dc:title><dc:creator>");
    xlsx_escape(&x, p->author, strlen(p->author));
    buf_append_str(&x, "</dc:creator><cp:lastModifiedBy>");
    xlsx_escape(&x, p->author, strlen(p->author));
    buf_printf(&x,
               "</cp:lastModifiedBy><dcterms:created xsi:type=\"dcterms:W3CDTF\">%s"
               "</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">%s"
               "</dcterms:modified></cp:coreProperties>",
               when, when);
    add_text(b, "docProps/core.xml", &x);
    buf_free(&x);
}

/* 'Name' as a formula names a sheet. */
static void quoted_sheet(buf_t *x, const char *name)
{
    buf_t q = BUF_INIT;
    buf_append_byte(&q, '\'');
    for (const char *p = name; *p; p++) {
        if (*p == '\'')
            buf_append_byte(&q, '\'');
        buf_append_byte(&q, (uint8_t)*p);
    }
    buf_append_byte(&q, '\'');
    xlsx_escape(x, (const char *)q.data, q.len);
    buf_free(&q);
}

static void workbook_part(xlsx_book_t *b)
{
    buf_t x = BUF_INIT, r = BUF_INIT;
    buf_append_str(&x,
                   XML_DECL "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
                            "<bookViews><workbookView xWindow=\"240\" yWindow=\"15\" "
                            "windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>");
    buf_append_str(&r, XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">");
    for (size_t i = 0; i < b->nsheets; i++) {
        buf_append_str(&x, "<sheet name=\"");
        attr_escape(&x, b->sheets[i]->name);
        buf_printf(&x, "\" sheetId=\"%zu\" r:id=\"rId%zu\"/>", i + 1, i + 1);
        buf_printf(&r,
                   "<Relationship Id=\"rId%zu\" Type=\"" NS_REL
                   "/worksheet\" Target=\"worksheets/sheet%zu.xml\"/>",
                   i + 1, i + 1);
    }
    buf_append_str(&x, "</sheets>");
    bool names = false;
    for (size_t i = 0; i < b->nsheets; i++) {
        const xlsx_sheet_t *s = b->sheets[i];
        if (!s->filter)
            continue;
        if (!names)
            buf_append_str(&x, "<definedNames>");
        names = true;
        char z[40];
        cell_ref(z, s->filter_row, s->filter_col);
        /* $A$1:$Z$9 */
        size_t k = strcspn(z, "0123456789");
        buf_printf(&x,
                   "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"%zu\" "
                   "hidden=\"1\">",
                   i);
        quoted_sheet(&x, s->name);
        buf_printf(&x, "!$A$1:$%.*s$%s</definedName>", (int)k, z, z + k);
    }
    if (names)
        buf_append_str(&x, "</definedNames>");
    buf_append_str(&x, "<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
    buf_printf(&r, "<Relationship Id=\"rId%zu\" Type=\"" NS_REL "/styles\" Target=\"styles.xml\"/>",
               b->nsheets + 1);
    if (xlsx_strings_unique(b->strings))
        buf_printf(&r,
                   "<Relationship Id=\"rId%zu\" Type=\"" NS_REL
                   "/sharedStrings\" Target=\"sharedStrings.xml\"/>",
                   b->nsheets + 2);
    buf_append_str(&r, "</Relationships>");
    add_text(b, "xl/workbook.xml", &x);
    add_text(b, "xl/_rels/workbook.xml.rels", &r);
    buf_free(&x), buf_free(&r);
}

/* xl/sharedStrings.xml: the texts that repeated, in index order. */
static void shared_strings_part(xlsx_book_t *b)
{
    size_t u = xlsx_strings_unique(b->strings);
    if (!u)
        return;
    buf_t x = BUF_INIT;
    buf_printf(&x, XML_DECL "<sst xmlns=\"" NS_MAIN "\" count=\"%llu\" uniqueCount=\"%zu\">",
               (unsigned long long)xlsx_strings_refs(b->strings), u);
    for (size_t i = 0; i < u; i++) {
        size_t n;
        const char *t = xlsx_strings_at(b->strings, i, &n);
        buf_append_str(&x, "<si>");
        text_element(&x, t, n);
        buf_append_str(&x, "</si>");
    }
    buf_append_str(&x, "</sst>");
    add_text(b, "xl/sharedStrings.xml", &x);
    buf_free(&x);
}

/* The four cell formats, in xlsx_style_t's order. */
static void styles_part(xlsx_book_t *b)
{
    const xlsx_look_t *l = &b->look;
    buf_t x = BUF_INIT;
    buf_append_str(&x, XML_DECL "<styleSheet xmlns=\"" NS_MAIN "\"><numFmts count=\"1\">"
                                "<numFmt numFmtId=\"164\" formatCode=\"");
    attr_escape(&x, l->date_format);
    buf_append_str(
        &x, "\"/></numFmts><fonts count=\"3\"><font><sz val=\"11\"/><color rgb=\"FF000000\"/>"
            "<name val=\"Calibri\"/><family val=\"2\"/></font><font><b/><sz val=\"11\"/>"
            "<color rgb=\"FF000000\"/><name val=\"Calibri\"/><family val=\"2\"/></font>");
    if (l->link_style)
        buf_append_str(&x, "<font><u/><sz val=\"11\"/><color rgb=\"FF0000FF\"/><name "
                           "val=\"Calibri\"/><family val=\"2\"/></font>");
    else
        buf_append_str(&x, "<font><sz val=\"11\"/><color rgb=\"FF000000\"/><name val=\"Calibri\"/>"
                           "<family val=\"2\"/></font>");
    buf_append_str(&x, "</fonts><fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill>"
                       "<fill><patternFill patternType=\"gray125\"/></fill><fill><patternFill "
                       "patternType=\"solid\"><fgColor rgb=\"FFDCE3EF\"/><bgColor indexed=\"64\"/>"
                       "</patternFill></fill></fills><borders count=\"2\"><border><left/><right/>"
                       "<top/><bottom/><diagonal/></border><border><left/><right/><top/><bottom "
                       "style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>"
                       "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
                       "borderId=\"0\"/></cellStyleXfs><cellXfs count=\"4\"><xf numFmtId=\"0\" "
                       "fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>");
    buf_printf(&x,
               "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"%d\" xfId=\"0\" "
               "applyFont=\"1\" applyFill=\"1\"%s/>",
               l->header_border ? 1 : 0, l->header_border ? " applyBorder=\"1\"" : "");
    buf_append_str(&x, "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
                       "applyNumberFormat=\"1\"/><xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" "
                       "borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs><cellStyles "
                       "count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>"
                       "</cellStyles><dxfs count=\"0\"/><tableStyles count=\"0\" "
                       "defaultTableStyle=\"TableStyleMedium9\" "
                       "defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>");
    add_text(b, "xl/styles.xml", &x);
    buf_free(&x);
}

static void book_free(xlsx_book_t *b)
{
    for (size_t i = 0; i < b->nsheets; i++) {
        xlsx_sheet_t *s = b->sheets[i];
        if (s->z && !s->done)
            deflateEnd(&s->z->z);
        if (s->tmp)
            fclose(s->tmp);
        free(s->z);
        buf_free(&s->xml), buf_free(&s->links), buf_free(&s->link_rels), buf_free(&s->packed);
        for (size_t k = 0; k < s->nnotes; k++)
            free(s->notes[k].text);
        for (size_t k = 0; k < s->nimages; k++)
            free(s->images[k].name);
        free(s->notes), free(s->images), free(s->widths), free(s->name), free(s);
    }
    free(b->sheets);
    xlsx_strings_free(b->strings);
    free(b);
}

int xlsx_book_close(xlsx_book_t *b, const xlsx_props_t *p, char *err, size_t errlen)
{
    for (size_t i = 0; i < b->nsheets; i++)
        xlsx_sheet_done(b->sheets[i]);
    if (!b->err) {
        content_types(b);
        doc_props(b, p);
        workbook_part(b);
        styles_part(b);
        shared_strings_part(b);
    }
    int zerr = 0;
    if (zip_close(b->zip) != 0)
        zerr = errno;
    b->zip = NULL;
    if (fclose(b->out) != 0 && !zerr)
        zerr = errno ? errno : EIO;
    if (zerr)
        fail(b, zerr, "writing the workbook");
    int e = b->err;
    if (e)
        snprintf(err, errlen, "%s", b->errmsg);
    book_free(b);
    errno = e > 0 ? e : 0;
    return e ? -1 : 0;
}

void xlsx_book_abandon(xlsx_book_t *b)
{
    if (!b)
        return;
    zip_abandon(b->zip);
    fclose(b->out);
    book_free(b);
}
