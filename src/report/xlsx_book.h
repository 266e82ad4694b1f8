/*
 * xlsx_book.h — a streaming XLSX (Office Open XML spreadsheet) writer: the
 * one workbook writer of the project (report.xlsx of a case and of a
 * comparison, src/report/xlsx.c).
 *
 * Why our own: libxlsxwriter, used before, printed every cell with fprintf
 * into a temporary file, read those files back at the end and deflated them
 * serially at zlib's default level; on a case of 20,000 rows that was most of
 * the reports' time (docs/performance.md).  Here each cell is formatted once
 * into a buffer that is deflated (level XLSX_DEFLATE_LEVEL) while the sheet
 * is produced, into a temporary file; a finished sheet is copied into the
 * archive behind its head (column widths, panes) compressed after it
 * (zip_writer.h explains how the two streams make one entry).
 *
 * What it writes: strings inline (t="inlineStr") the first time, and from
 * their second sighting on as shared strings (t="s", a bounded table:
 * xlsx_strings.h), numbers, booleans, four cell styles (plain, header,
 * date-time, link: xlsx_look_t says how they look), column widths, a frozen
 * top row, an autofilter, external hyperlinks (relationships with
 * TargetMode="External"), cell comments (comments part + VML drawing, as
 * Excel writes them), PNG images anchored to a cell, document properties.
 * Strings are always strings (never formulas).  Text is XML-escaped; the
 * control characters XML 1.0 forbids are written as Excel writes them,
 * _xHHHH_, and an underscore that would otherwise read as such an escape as
 * _x005F_; a string longer than Excel's 32,767 characters is cut there.
 *
 * Use: cells of a sheet in order (rows ascending, columns ascending within
 * a row), row and column numbers from 0.  Sheets appear in the workbook in
 * the order they were added; each is written into the archive when
 * xlsx_sheet_done is called (or at xlsx_book_close), so only sheets being
 * filled hold a temporary file and a deflate stream.  One thread per book.
 *
 * Ownership: the book owns its sheets; xlsx_book_close/abandon free all.
 * Failure: the first failure (a write, a temporary file, an unreadable
 * image) is kept and later calls do nothing; xlsx_book_close returns -1 with
 * errno the failure's (0 when the reason is not a system error) and
 * xlsx_book_error says what failed.
 */
#ifndef PCAPCASE_XLSX_BOOK_H
#define PCAPCASE_XLSX_BOOK_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct xlsx_book xlsx_book_t;
typedef struct xlsx_sheet xlsx_sheet_t;

typedef enum xlsx_style { XLSX_PLAIN, XLSX_HEADER, XLSX_DATE, XLSX_LINK } xlsx_style_t;

/* How the styles look: bold header on a light blue fill (a thin line under it
 * when header_border), date-times in date_format, links blue and underlined
 * when link_style. */
typedef struct xlsx_look {
    const char *date_format;
    bool header_border, link_style;
} xlsx_look_t;

/* docProps/core.xml: created is also written as modified (no "now": the
 * same case gives the same bytes). */
typedef struct xlsx_props {
    const char *title, *author;
    time_t created;
} xlsx_props_t;

xlsx_book_t *xlsx_book_open(const char *path, const xlsx_look_t *look, char *err, size_t errlen);
xlsx_sheet_t *xlsx_add_sheet(xlsx_book_t *b, const char *name);

void xlsx_freeze_top_row(xlsx_sheet_t *s);
/* Columns first..last width characters wide (libxlsxwriter's and Excel's
 * unit: the width of a digit, plus padding). */
void xlsx_set_width(xlsx_sheet_t *s, int first, int last, double width);
void xlsx_string(xlsx_sheet_t *s, unsigned long row, int col, const char *text, xlsx_style_t st);
void xlsx_number(xlsx_sheet_t *s, unsigned long row, int col, double v, xlsx_style_t st);
void xlsx_bool(xlsx_sheet_t *s, unsigned long row, int col, bool v);
/* text shown in the link style, linking to target (a relative path or a
 * URL, left as given).  Past Excel's 65,530 links a sheet, plain text. */
void xlsx_link(xlsx_sheet_t *s, unsigned long row, int col, const char *target, const char *text);
void xlsx_autofilter(xlsx_sheet_t *s, unsigned long last_row, int last_col);
void xlsx_comment(xlsx_sheet_t *s, unsigned long row, int col, const char *text);
/* The PNG at path, scaled, its top left corner at the cell.  0, or -1 (it
 * cannot be read or is not a PNG: the book fails). */
int xlsx_image(xlsx_sheet_t *s, unsigned long row, int col, const char *path, double scale);
/* The sheet is complete: into the archive, its temporary file closed. */
void xlsx_sheet_done(xlsx_sheet_t *s);

/* Finish the archive (sheets not done yet are done now), free b.  0, or -1
 * with errno set and err filled. */
int xlsx_book_close(xlsx_book_t *b, const xlsx_props_t *p, char *err, size_t errlen);
/* Free b, leaving the file incomplete (the caller removes it). */
void xlsx_book_abandon(xlsx_book_t *b);

/* Text into XML element content (exposed for the unit tests). */
void xlsx_escape(buf_t *out, const char *s, size_t n);
/* A number as a cell value: libxlsxwriter's "%.16G", integers fast.
 * Writes at most 32 bytes and a NUL into out; returns the length. */
size_t xlsx_format_number(char *out, double v);

#endif
