/*
 * axis.c — tick choice per axis for the room it has (axis.h).
 */
#include "axis.h"

#include "text.h"
#include "theme.h"

#include <math.h>
#include <string.h>

/* Densest tick spacing tried, in page units: closer ticks than this make a
 * grid that competes with the data even when the labels would fit. */
#define AXIS_MIN_SPACING_H 56.0
#define AXIS_MIN_SPACING_V 34.0

size_t axis_tick_values(const chart_t *c, chart_axis_t axis, const scale_t *s, int target,
                        axis_ticks_t *t, double *step)
{
    const chart_axis_opts_t *o = &c->axes[axis];
    double span = s->hi - s->lo;
    t->n_minor = 0;
    if (s->log) {
        *step = 0;
        t->n = ticks_log(scale_ladder(o->format), s->lo, s->hi, target, t->v, TICKS_MAX, t->minor,
                         TICKS_MAX, &t->n_minor);
        return t->n;
    }
    double offset = 0;
    switch (o->format) {
    case CHART_FMT_TIME:
        *step = ticks_time_step(span, target);
        offset = c->tz_offset; /* ticks on round local times */
        break;
    case CHART_FMT_DURATION:
    case CHART_FMT_RELTIME:
        *step = ticks_time_step(span, target);
        break;
    case CHART_FMT_BINARY:
        *step = ticks_binary_step(span, target);
        break;
    default:
        *step = ticks_nice_step(span, target);
        break;
    }
    /* Half a connection is not a thing: counts get whole-number ticks. */
    if (s->integral && *step < 1)
        *step = 1;
    t->n = ticks_linear(s->lo, s->hi, *step, offset, t->v, TICKS_MAX);
    return t->n;
}

/* Write the labels of t and measure the widest. */
static void label_ticks(cairo_t *cr, const chart_t *c, chart_axis_t axis, const scale_t *s,
                        double step, axis_ticks_t *t)
{
    const chart_axis_opts_t *o = &c->axes[axis];
    tick_style_t ts;
    format_tick_style(&ts, o->format, o->unit, s->log, t->v, t->n, step, c->tz_offset);
    t->label_w = 0;
    for (size_t i = 0; i < t->n; i++) {
        format_tick(&ts, t->v[i], t->label[i], FORMAT_MAX);
        format_tick_date(&ts, t->v[i], i ? t->v[i - 1] : t->v[i], i == 0, t->date[i], FORMAT_MAX);
        double w = text_width(cr, t->label[i]);
        double wd = text_width(cr, t->date[i]);
        t->label_w = fmax(t->label_w, fmax(w, wd));
    }
}

/* Whether neighbouring labels keep their distance along the axis. */
static bool labels_fit(cairo_t *cr, const scale_t *s, const axis_ticks_t *t, bool horizontal)
{
    double gap = THEME_TICK_SIZE * THEME_TICK_LABEL_SPACING;
    for (size_t i = 1; i < t->n; i++) {
        double d = fabs(scale_map(s, t->v[i]) - scale_map(s, t->v[i - 1]));
        if (!horizontal) {
            if (d < gap)
                return false;
            continue;
        }
        double wa = fmax(text_width(cr, t->label[i - 1]), text_width(cr, t->date[i - 1]));
        double wb = fmax(text_width(cr, t->label[i]), text_width(cr, t->date[i]));
        if (d < (wa + wb) / 2 + gap)
            return false;
    }
    return true;
}

void axis_fit_ticks(cairo_t *cr, const chart_t *c, chart_axis_t axis, const scale_t *s,
                    bool horizontal, axis_ticks_t *t)
{
    text_font(cr, THEME_TICK_SIZE, false, THEME_TEXT_SOFT);
    double length = fabs(s->p1 - s->p0);
    int most = (int)(length / (horizontal ? AXIS_MIN_SPACING_H : AXIS_MIN_SPACING_V));
    if (most < 2)
        most = 2;
    if (most > 12)
        most = 12;
    double step = 0;
    for (int target = most; target >= 1; target--) {
        axis_tick_values(c, axis, s, target, t, &step);
        label_ticks(cr, c, axis, s, step, t);
        if (labels_fit(cr, s, t, horizontal))
            return;
    }
    /* Even one interval is too dense: keep only the first tick. */
    if (t->n > 1)
        t->n = 1;
}
