/*
 * charts.h — pcc_charts, our cairo plotting library: one chart, drawn the
 * same way to PNG (screens), PDF (print) and SVG (inline HTML).
 *
 * Why it exists: the case folder, report.html and report.xlsx show traffic as
 * pictures, and they must read like the output of a plotting library people
 * trust — nice tick values, units a person reads at a glance ("1.5 MB/s",
 * "14:30"), legends that never cover data, a colour-blind-safe palette —
 * without pulling a Python or JavaScript stack into a forensic tool.
 *
 * Use: build a chart, then render it as often as needed, then free it.
 *
 *     chart_t *c = chart_new(CHART_AREA_STACKED, "Bandwidth by protocol");
 *     chart_set_axis(c, CHART_X, "Time", CHART_FMT_TIME, NULL);
 *     chart_set_axis(c, CHART_Y, "Rate", CHART_FMT_SI, "bit/s");
 *     chart_set_time_zone(c, 7200, "+02:00");
 *     chart_add_series(c, "TCP", t, tcp_bits, n);
 *     chart_add_series(c, "UDP", t, udp_bits, n);
 *     if (chart_render_png(c, "bw.png", 960, 480) != 0)
 *         fprintf(stderr, "bw.png: %s\n", chart_error(c));
 *     chart_free(c);
 *
 * Conventions of every function below:
 *   - Strings are copied.  Invalid UTF-8 and control characters are replaced
 *     (labels often come from traffic), and each is cut at CHART_MAX_TEXT
 *     bytes.  NULL means "none".
 *   - Data arrays are copied, or reduced while being copied (see
 *     chart_add_series); the caller keeps ownership of what it passed.
 *   - Functions returning int give 0 (or a series id >= 0) on success and -1
 *     on failure, with a one-line reason from chart_error().  A failed call
 *     leaves the chart as it was, so rendering still works.  The library
 *     never prints and never exits.
 *   - NaN and infinite values are not drawn; in line, step and area series a
 *     NaN leaves a gap.  On a log axis, values <= 0 are not drawn.
 *   - Output is deterministic: the same chart gives byte-identical PNG and
 *     PDF files (the PDF carries fixed dates).
 *   - A chart is used by one thread at a time; separate charts may be built
 *     and rendered on separate threads.
 */
#ifndef PCAPCASE_CHARTS_H
#define PCAPCASE_CHARTS_H

#include <stddef.h>

/* The longest string kept from a caller (titles, labels, names), in bytes.
 * Longer text could not be shown on a chart anyway; labels that do not fit
 * their space are shortened with "…" when drawn. */
#define CHART_MAX_TEXT 256

/* Series per chart.  The palette has 8 distinguishable colours and a legend
 * of more than about a dozen entries is no longer read; past this, group. */
#define CHART_MAX_SERIES 16

/* Categories of a bar chart: 100 bars at the 12 px each they need to stay
 * legible already fill a 1200 px tall chart. */
#define CHART_MAX_BARS 100

/* Marker lines (vertical and horizontal) per chart: each carries a label,
 * and more labels than this overlap on any chart size we render. */
#define CHART_MAX_MARKERS 32

/* Columns a large line series is reduced to when added: 4 points (first,
 * last, min, max) per column keep it pixel-exact on outputs up to this many
 * pixels wide (8192 covers an 8K screen), at most 32768 points kept. */
#define CHART_KEEP_COLUMNS 8192

/* What a chart draws by default; chart_series_set_style() can mix styles
 * (e.g. a line and a step series on one chart). */
typedef enum chart_kind {
    CHART_LINE,         /* lines through the points in x order */
    CHART_STEP,         /* each value holds until the next x */
    CHART_SCATTER,      /* one dot per point */
    CHART_AREA_STACKED, /* series filled and stacked on each other */
    CHART_BARS,         /* vertical bars: at numeric x, or categories */
    CHART_HBARS,        /* horizontal bars with text labels (top talkers) */
    CHART_HISTOGRAM,    /* raw samples counted into nice-width bins */
} chart_kind_t;

typedef enum chart_axis {
    CHART_X,
    CHART_Y,  /* left value axis */
    CHART_Y2, /* right value axis, for series moved there */
} chart_axis_t;

/* How an axis writes its values (tick labels, bar value labels). */
typedef enum chart_format {
    CHART_FMT_NUMBER,   /* 0, 2.5, 12,000; 1.2M past a million */
    CHART_FMT_SI,       /* unit with k M G T (x1000) and m µ n: "1.5 MB/s" */
    CHART_FMT_BINARY,   /* unit with Ki Mi Gi Ti (x1024): "1.5 MiB" */
    CHART_FMT_DURATION, /* seconds as "250 ms", "2 s", "5 min", "3 h" */
    CHART_FMT_TIME,     /* epoch seconds as clock time in the chart's zone */
    CHART_FMT_RELTIME,  /* seconds since a start: "0 s", "0.5 s", "2 min" */
} chart_format_t;

/* The palette: Okabe & Ito's colour-blind-safe set, in the order series
 * take them.  CHART_RED is Okabe-Ito's vermillion. */
typedef enum chart_color {
    CHART_COLOR_AUTO = -1, /* next palette colour no other series uses */
    CHART_BLUE,
    CHART_ORANGE,
    CHART_GREEN,
    CHART_RED,
    CHART_PURPLE,
    CHART_SKY,
    CHART_YELLOW,
    CHART_GREY,
    CHART_BLACK,
} chart_color_t;

/* Marker shapes for point series (chart_add_points). */
typedef enum chart_shape {
    CHART_SHAPE_CIRCLE,
    CHART_SHAPE_CROSS, /* an x */
    CHART_SHAPE_PLUS,
    CHART_SHAPE_TRIANGLE,
    CHART_SHAPE_SQUARE,
    CHART_SHAPE_DIAMOND,
} chart_shape_t;

typedef struct chart chart_t;

/* ---- Building ------------------------------------------------------------ */

/* A new, empty chart of the given kind with a title (may be NULL).  Returns
 * NULL only when memory is exhausted.  Free with chart_free(). */
chart_t *chart_new(chart_kind_t kind, const char *title);

/* Free the chart and everything it copied.  NULL is ignored. */
void chart_free(chart_t *c);

/* A second, smaller line under the title (source, time range, filter). */
int chart_set_subtitle(chart_t *c, const char *subtitle);

/* Label and value format of an axis.  unit is the base unit written after
 * the prefix ("B/s", "bit/s", "B", "pkt/s"; NULL for none); it is used by
 * NUMBER, SI and BINARY and ignored by the time formats.  Bit rates: pass
 * values in bits per second with unit "bit/s".
 * Defaults: X and Y are CHART_FMT_NUMBER without label. */
int chart_set_axis(chart_t *c, chart_axis_t axis, const char *label, chart_format_t format,
                   const char *unit);

/* Logarithmic (base 10) axis.  Not for CHART_FMT_TIME axes, the category
 * axis of bars, or the x axis of a histogram (bins are linear). */
int chart_set_axis_log(chart_t *c, chart_axis_t axis, int log);

/* Fix the range shown on an axis; NaN for either end keeps it automatic.
 * By default x spans the data, and linear y axes start at zero (rates and
 * counts read wrong otherwise) with a little headroom above the data. */
int chart_set_axis_range(chart_t *c, chart_axis_t axis, double min, double max);

/* Zone of CHART_FMT_TIME labels: UTC plus offset_sec (east positive), and
 * the name shown in the axis label ("UTC", "+02:00").  Default: 0, "UTC". */
int chart_set_time_zone(chart_t *c, int offset_sec, const char *name);

/* Reason shown when there is nothing to draw: the frame is drawn with a
 * centred "No data: <reason>".  Default reason: "nothing to plot". */
int chart_set_empty_note(chart_t *c, const char *reason);

/* Bin width for CHART_HISTOGRAM, in x units (0 = automatic: Freedman-
 * Diaconis rounded to a 1-2-5 step). */
int chart_set_bin_width(chart_t *c, double width);

/* ---- Data ---------------------------------------------------------------- */

/* Add a named series (name may be NULL: then it has no legend entry) drawn
 * in the chart's kind.  Returns the series id (0, 1, ...) or -1.
 *
 * x and y hold n values each and are copied.  Line and step series are
 * sorted by x if they are not already.  Large series are reduced while
 * copied, keeping every extreme: line and step series to the first, last,
 * lowest and highest point of each of CHART_KEEP_COLUMNS columns across
 * their x range (exact for any output up to that many pixels wide), scatter
 * series to one point per cell of a fine grid — so ten million points cost
 * a few hundred kilobytes and draw in milliseconds.  Set log axes before
 * adding a large scatter series so the grid follows the scale.
 *
 * By kind:
 *   CHART_AREA_STACKED  every series must have the x values of the first;
 *                       negative values count as zero.  Not reduced when
 *                       copied (reduced per pixel column when drawn).
 *   CHART_BARS          bars centred at x (finite, ascending), as wide as
 *                       the closest spacing; later series need the same x
 *                       and are stacked.  Category bars: chart_add_bars().
 *   CHART_HISTOGRAM     x holds the raw samples and y must be NULL; several
 *                       series are overlaid, translucent, on shared bins
 *                       centred on multiples of the bin width (a 2.0 s
 *                       period falls mid-bin, not on an edge).
 *   CHART_HBARS         use chart_add_bars().
 *
 * The legend (above the plot, never over data) appears when it tells
 * things apart: two or more named series, a named series beside unnamed
 * ones, or a labelled horizontal line. */
int chart_add_series(chart_t *c, const char *name, const double *x, const double *y, size_t n);

/* Add a series of category bars: labels[i] (copied, may come from traffic;
 * too long ones are shortened in the middle, keeping address and domain)
 * with values[i] (NaN and negative count as 0).  For CHART_HBARS the first
 * label is the top bar, the values run along CHART_X (set its format and
 * unit there) and each bar's total is written after it; for CHART_BARS the
 * first is leftmost, values on CHART_Y, labels slanted when they do not fit
 * upright.  Later bar series must have the same n and are stacked on the
 * earlier ones (e.g. "sent" + "received").  At most CHART_MAX_BARS
 * categories.  Returns the series id or -1. */
int chart_add_bars(chart_t *c, const char *name, const char *const *labels, const double *values,
                   size_t n);

/* Add point markers, e.g. retransmissions as red crosses on a window series:
 * pass the series' y at those x to put them on the line.  Copied (and
 * reduced like a scatter series when large).  Returns the series id or -1. */
int chart_add_points(chart_t *c, const char *name, const double *x, const double *y, size_t n,
                     chart_shape_t shape, chart_color_t color);

/* Draw a series in another style than the chart's kind: CHART_LINE,
 * CHART_STEP or CHART_SCATTER, for series of line, step and scatter charts. */
int chart_series_set_style(chart_t *c, int series, chart_kind_t style);

/* Colour of a series (default: the next free palette colour). */
int chart_series_set_color(chart_t *c, int series, chart_color_t color);

/* Plot a series against the right axis (CHART_Y2) or back on the left
 * (CHART_Y).  Its legend entry then says "(right axis)". */
int chart_series_set_axis(chart_t *c, int series, chart_axis_t axis);

/* A dashed vertical marker line at x with an optional label (e.g.
 * "detected period 2.0 s").  Labels go in a strip above the plot, beside
 * their line, in extra rows when they would collide, so they never hide
 * data.  At most CHART_MAX_MARKERS marker lines in all. */
int chart_add_vline(chart_t *c, double x, const char *label);

/* A dashed horizontal line at y on the given value axis (a threshold, a
 * median).  Its label, if any, names it in the legend: a reference line
 * runs through the data, so a label on the line would cover some.  Not for
 * CHART_HBARS (its y axis holds categories). */
int chart_add_hline(chart_t *c, chart_axis_t axis, double y, const char *label);

/* ---- Rendering ----------------------------------------------------------- */

/* Sizes are layout units: pixels for PNG at scale 1, points (1/72 in) for
 * PDF and SVG; fonts are sized for 1 unit = 1 CSS pixel.  Widths and
 * heights must be within [CHART_MIN_SIZE, CHART_MAX_SIZE].  Files are written
 * to a temporary name beside path and renamed into place, so a failed render
 * never leaves a partial file.  Return 0, or -1 with chart_error(). */
#define CHART_MIN_SIZE 120   /* below this the title and ticks leave no room for data */
#define CHART_MAX_SIZE 16384 /* cairo image surfaces stop at 32767; 16k x 16k is 1 GiB RGBA */

int chart_render_png(chart_t *c, const char *path, int width, int height);

/* PNG of width*scale x height*scale pixels laid out like a width x height
 * chart (scale 2 for high-density screens).  scale in [0.25, 4]. */
int chart_render_png_scaled(chart_t *c, const char *path, int width, int height, double scale);

int chart_render_pdf(chart_t *c, const char *path, double width_pt, double height_pt);

int chart_render_svg(chart_t *c, const char *path, double width_pt, double height_pt);

/* The same into memory (for embedding in HTML or XLSX): on success *out is a
 * malloc'd buffer of *out_len bytes, followed by a NUL byte not counted in
 * *out_len (so SVG can be used as a string), that the caller frees with
 * free().  (Or for a caller that writes files its own way.)  SVG ids carry a prefix unique to the
 * chart, so several charts can be inlined in one HTML page. */
int chart_render_png_mem(chart_t *c, int width, int height, double scale, unsigned char **out,
                         size_t *out_len);
int chart_render_svg_mem(chart_t *c, double width_pt, double height_pt, unsigned char **out,
                         size_t *out_len);
int chart_render_pdf_mem(chart_t *c, double width_pt, double height_pt, unsigned char **out,
                         size_t *out_len);

/* The reason of the last failure on this chart ("" if none).  The string
 * belongs to the chart and stays valid until the next call on it. */
const char *chart_error(const chart_t *c);

/* ---- Formatting, shared with tables and reports -------------------------- */

/* Write v as the format would show it in a label, with up to three
 * significant digits and one decimal: 1536000 SI "B/s" -> "1.5 MB/s",
 * 1536 BINARY "B" -> "1.5 KiB", 0.25 DURATION -> "250 ms".  CHART_FMT_TIME
 * gives "YYYY-MM-DD HH:MM:SS" in UTC (see chart_format_time for a zone).
 * Always NUL-terminates out (when len > 0); returns out. */
char *chart_format_value(char *out, size_t len, double v, chart_format_t format, const char *unit);

/* Epoch seconds as "YYYY-MM-DD HH:MM:SS" at UTC + offset_sec. Returns out. */
char *chart_format_time(char *out, size_t len, double epoch_sec, int offset_sec);

#endif
