/*
 * log_columns.h — the columns of a log, as its writer declares them.
 *
 * Each log has one writer (write/log_*.c) and that writer owns the log's
 * columns: it exports them as a list, in the order its rows hold them, with
 * Zeek's type names.  Readers of the logs reuse the list instead of
 * repeating it — the workbook's sheets (report/xlsx.c) take their columns
 * and cell formats from it, and tests/unit/test_logs.c checks every row of
 * the sample case against it.
 */
#ifndef PCAPCASE_LOG_COLUMNS_H
#define PCAPCASE_LOG_COLUMNS_H

/* Zeek's field types, as far as our logs use them. */
typedef enum log_type {
    LOG_TIME,     /* epoch seconds (a JSON number) */
    LOG_INTERVAL, /* seconds */
    LOG_COUNT,    /* unsigned integer */
    LOG_INT,
    LOG_DOUBLE,
    LOG_BOOL,
    LOG_STRING,
    LOG_ADDR,
    LOG_PORT,
    LOG_LIST,  /* an array of scalars (strings, counts, intervals) */
    LOG_RECORD /* an object, or an array of objects */
} log_type_t;

/* Flags of a column. */
enum {
    LOG_IN_SHEET = 1, /* the workbook shows it (the rest is in the log only) */
    LOG_OPTIONAL = 2  /* ... only when some row has it (--mmdb's host columns) */
};

typedef struct log_column {
    const char *name; /* the JSON member; NULL ends the list */
    log_type_t type;
    unsigned flags;
} log_column_t;

#endif
