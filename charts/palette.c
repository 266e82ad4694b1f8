/*
 * palette.c — Okabe-Ito colours and their assignment to series (palette.h).
 */
#include "palette.h"

#include <stdbool.h>

/* In chart_color_t order.  Grey and black are not Okabe-Ito's proper colours
 * but neutral companions for "other" and reference series. */
static const unsigned PALETTE[] = {
    0x0072B2, /* blue */
    0xE69F00, /* orange */
    0x009E73, /* bluish green */
    0xD55E00, /* vermillion */
    0xCC79A7, /* reddish purple */
    0x56B4E9, /* sky blue */
    0xF0E442, /* yellow: low contrast on white, so it comes late */
    0x8C8C8C, /* grey */
    0x000000, /* black */
};
#define PALETTE_SIZE (sizeof PALETTE / sizeof PALETTE[0])

unsigned palette_rgb(chart_color_t color)
{
    if ((int)color < 0 || (size_t)color >= PALETTE_SIZE)
        return PALETTE[0];
    return PALETTE[color];
}

void palette_assign(const chart_t *c, chart_color_t out[CHART_MAX_SERIES])
{
    bool used[PALETTE_SIZE] = {false};
    for (size_t i = 0; i < c->n_series; i++)
        if (c->series[i].color != CHART_COLOR_AUTO)
            used[c->series[i].color] = true;
    size_t next = 0;
    for (size_t i = 0; i < c->n_series; i++) {
        if (c->series[i].color != CHART_COLOR_AUTO) {
            out[i] = c->series[i].color;
            continue;
        }
        /* Skip colours taken explicitly; wrap around once all are used. */
        size_t tries = 0;
        while (used[next % PALETTE_SIZE] && tries++ < PALETTE_SIZE)
            next++;
        out[i] = (chart_color_t)(next % PALETTE_SIZE);
        next++;
    }
}

void palette_source(cairo_t *cr, unsigned rgb, double alpha)
{
    cairo_set_source_rgba(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                          (rgb & 0xFF) / 255.0, alpha);
}
