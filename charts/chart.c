/*
 * chart.c — the chart_t object: creation, options, errors, freeing.
 * Data (series, bars, points, marker lines) is added in series.c.
 */
#include "chart_internal.h"

#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int chart_fail(chart_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    return -1;
}

int chart_set_text(chart_t *c, char **dst, const char *src)
{
    bool oom = false;
    char *copy = text_sanitize(src, CHART_MAX_TEXT, &oom);
    if (oom)
        return chart_fail(c, "out of memory");
    free(*dst);
    *dst = copy;
    return 0;
}

static bool kind_valid(chart_kind_t kind)
{
    return (int)kind >= CHART_LINE && kind <= CHART_HISTOGRAM;
}

static bool axis_valid(chart_axis_t axis)
{
    return (int)axis >= CHART_X && axis <= CHART_Y2;
}

chart_t *chart_new(chart_kind_t kind, const char *title)
{
    chart_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->kind = kind_valid(kind) ? kind : CHART_LINE;
    for (int a = 0; a < 3; a++) {
        c->axes[a].format = CHART_FMT_NUMBER;
        c->axes[a].min = c->axes[a].max = NAN;
    }
    if (chart_set_text(c, &c->title, title) != 0 || chart_set_text(c, &c->tz_name, "UTC") != 0) {
        chart_free(c);
        return NULL;
    }
    return c;
}

static void series_free(chart_series_t *s)
{
    free(s->name);
    free(s->x);
    free(s->y);
    if (s->labels)
        for (size_t i = 0; i < s->n; i++)
            free(s->labels[i]);
    free(s->labels);
}

void chart_free(chart_t *c)
{
    if (!c)
        return;
    free(c->title);
    free(c->subtitle);
    free(c->empty_reason);
    free(c->tz_name);
    for (int a = 0; a < 3; a++) {
        free(c->axes[a].label);
        free(c->axes[a].unit);
    }
    for (size_t i = 0; i < c->n_series; i++)
        series_free(&c->series[i]);
    for (size_t i = 0; i < c->n_markers; i++)
        free(c->markers[i].label);
    free(c);
}

const char *chart_error(const chart_t *c)
{
    return c ? c->error : "no chart";
}

int chart_set_subtitle(chart_t *c, const char *subtitle)
{
    return chart_set_text(c, &c->subtitle, subtitle);
}

int chart_set_empty_note(chart_t *c, const char *reason)
{
    return chart_set_text(c, &c->empty_reason, reason);
}

int chart_set_axis(chart_t *c, chart_axis_t axis, const char *label, chart_format_t format,
                   const char *unit)
{
    if (!axis_valid(axis))
        return chart_fail(c, "chart_set_axis: no axis %d", (int)axis);
    if ((int)format < CHART_FMT_NUMBER || format > CHART_FMT_RELTIME)
        return chart_fail(c, "chart_set_axis: no format %d", (int)format);
    if (format == CHART_FMT_TIME && c->axes[axis].log)
        return chart_fail(c, "chart_set_axis: a time axis cannot be logarithmic");
    chart_axis_opts_t *a = &c->axes[axis];
    char *old_label = a->label, *old_unit = a->unit;
    a->label = a->unit = NULL;
    if (chart_set_text(c, &a->label, label) != 0 || chart_set_text(c, &a->unit, unit) != 0) {
        free(a->label);
        a->label = old_label, a->unit = old_unit;
        return -1;
    }
    free(old_label);
    free(old_unit);
    a->format = format;
    return 0;
}

int chart_set_axis_log(chart_t *c, chart_axis_t axis, int log)
{
    if (!axis_valid(axis))
        return chart_fail(c, "chart_set_axis_log: no axis %d", (int)axis);
    if (log && c->axes[axis].format == CHART_FMT_TIME)
        return chart_fail(c, "chart_set_axis_log: a time axis cannot be logarithmic");
    if (log && axis == CHART_X && (c->kind == CHART_HISTOGRAM || c->kind == CHART_BARS))
        return chart_fail(c, "chart_set_axis_log: bins and bars need a linear x axis");
    if (log && axis == CHART_Y && c->kind == CHART_HBARS)
        return chart_fail(c, "chart_set_axis_log: the category axis cannot be logarithmic");
    c->axes[axis].log = log != 0;
    return 0;
}

int chart_set_axis_range(chart_t *c, chart_axis_t axis, double min, double max)
{
    if (!axis_valid(axis))
        return chart_fail(c, "chart_set_axis_range: no axis %d", (int)axis);
    if (isinf(min) || isinf(max) || (!isnan(min) && !isnan(max) && !(min < max)))
        return chart_fail(c, "chart_set_axis_range: need min < max, finite or NaN");
    c->axes[axis].min = min;
    c->axes[axis].max = max;
    return 0;
}

int chart_set_time_zone(chart_t *c, int offset_sec, const char *name)
{
    /* Real zones lie within -12:00 .. +14:00; allow a day either way. */
    if (offset_sec < -86400 || offset_sec > 86400)
        return chart_fail(c, "chart_set_time_zone: offset %d s is more than a day", offset_sec);
    if (chart_set_text(c, &c->tz_name, name ? name : "") != 0)
        return -1;
    c->tz_offset = offset_sec;
    return 0;
}

int chart_set_bin_width(chart_t *c, double width)
{
    if (!(width >= 0) || !isfinite(width))
        return chart_fail(c, "chart_set_bin_width: width must be >= 0");
    c->bin_width = width;
    return 0;
}
