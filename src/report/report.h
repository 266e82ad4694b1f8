/*
 * report.h — the reports for people, rendered from the case folder.
 *
 * Renderers read what the analysis wrote (case.json, the NDJSON logs,
 * the chart PNGs) and nothing else, so a report can be rebuilt from a case
 * folder alone.  Both are written atomically (temporary file + rename).
 */
#ifndef PCAPCASE_REPORT_H
#define PCAPCASE_REPORT_H

#include <stddef.h>

/* CASE/report.html: self-contained (CSS, JS and charts embedded, no network
 * request allowed by its Content-Security-Policy).  0, or -1 with err. */
int report_html_write(const char *case_dir, char *err, size_t errlen);

/* CASE/report.xlsx: summary, one sheet per table, charts.  0 or -1. */
int report_xlsx_write(const char *case_dir, char *err, size_t errlen);

/* The same in two steps, so that the sheets of the logs (nearly all of the
 * work) are written while the charts and case.json are still being made:
 * report_xlsx_begin needs only the finished logs (and the case's time-zone
 * offset, case_opts_t tz_offset_sec, which the workbook's times use);
 * report_xlsx_finish adds the summary (case.json) and the charts (charts/),
 * closes the workbook and renames it into place.  Both 0, or -1 with err;
 * finish and abandon free *x whatever happens, abandon leaving no file. */
typedef struct report_xlsx report_xlsx_t;
int report_xlsx_begin(const char *case_dir, int tz_offset_sec, report_xlsx_t **x, char *err,
                      size_t errlen);
int report_xlsx_finish(report_xlsx_t *x, char *err, size_t errlen);
void report_xlsx_abandon(report_xlsx_t *x);

/* The same for a comparison folder (compare.json, flows and unmatched logs,
 * charts): DIR/report.html and DIR/report.xlsx. */
int report_compare_html_write(const char *dir, char *err, size_t errlen);
int report_compare_xlsx_write(const char *dir, char *err, size_t errlen);

/* Maximum rows per sheet before continuing on "NAME (2)" (Excel's limit is
 * 1,048,576 including the header); tests lower it. */
extern unsigned long report_xlsx_max_rows;

#endif
