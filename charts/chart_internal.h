/*
 * chart_internal.h — the chart model behind the opaque chart_t, shared by the
 * files of pcc_charts (building in chart.c and series.c, drawing in draw_*.c).
 * Not installed and not for callers: charts.h is the interface.
 */
#ifndef PCAPCASE_CHART_INTERNAL_H
#define PCAPCASE_CHART_INTERNAL_H

#include "charts.h"

#include <stdbool.h>
#include <stdarg.h>

/* Cells per side of the grid a large scatter series is thinned to when
 * added: one point per cell is finer than any pixel grid we render (2048 px
 * covers a 4K-wide plot area), so no visible point and no outlier is lost. */
#define CHART_SCATTER_GRID 2048

/* Series above this many points are reduced when added (line, step: M4 over
 * CHART_KEEP_COLUMNS; scatter, points: the grid above). */
#define CHART_REDUCE_ABOVE (4 * CHART_KEEP_COLUMNS)

/* How one series is drawn; the chart kind gives the default. */
typedef enum series_style {
    STYLE_LINE,
    STYLE_STEP,
    STYLE_SCATTER,
    STYLE_AREA,
    STYLE_BARS,  /* vertical bars at numeric x */
    STYLE_CBARS, /* vertical category bars */
    STYLE_HBARS, /* horizontal category bars */
    STYLE_HIST,
    STYLE_POINTS, /* markers of a chosen shape (chart_add_points) */
} series_style_t;

typedef struct chart_series {
    char *name; /* owned, NULL = no legend entry */
    series_style_t style;
    chart_shape_t shape; /* STYLE_POINTS */
    chart_color_t color; /* resolved from CHART_COLOR_AUTO when drawn */
    chart_axis_t axis;   /* CHART_Y or CHART_Y2 */
    double *x, *y;       /* owned, n values each; y NULL for STYLE_HIST */
    size_t n;
    char **labels; /* owned categories for CBARS/HBARS, n entries */
} chart_series_t;

typedef struct chart_axis_opts {
    char *label; /* owned, may be NULL */
    char *unit;  /* owned, may be NULL */
    chart_format_t format;
    bool log;
    double min, max; /* NaN = automatic */
} chart_axis_opts_t;

typedef struct chart_marker {
    bool vertical;
    chart_axis_t axis; /* CHART_X for vertical lines, else the value axis */
    double at;
    char *label; /* owned, may be NULL */
} chart_marker_t;

struct chart {
    chart_kind_t kind;
    char *title, *subtitle, *empty_reason; /* owned, may be NULL */
    chart_axis_opts_t axes[3];             /* indexed by chart_axis_t */
    int tz_offset;
    char *tz_name; /* owned */
    double bin_width;
    chart_series_t series[CHART_MAX_SERIES];
    size_t n_series;
    chart_marker_t markers[CHART_MAX_MARKERS];
    size_t n_markers;
    char error[256];
};

/* Record a failure reason on c (printf-style); always returns -1 so callers
 * can `return chart_fail(c, ...)`. */
int chart_fail(chart_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copy a caller string through text_sanitize; *dst is replaced (old value
 * freed).  Returns 0, or -1 on allocation failure (then *dst is unchanged). */
int chart_set_text(chart_t *c, char **dst, const char *src);

/* Whether any series has a drawable point (finite, positive on log axes). */
bool chart_has_data(const chart_t *c);

#endif
