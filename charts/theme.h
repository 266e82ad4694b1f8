/*
 * theme.h — the look of every chart in one place: fonts, sizes, greys, line
 * widths, spacing.  Modelled on the quiet defaults of matplotlib/seaborn
 * ("ticks" style): white background, light grid, dark text, no box.
 *
 * Sizes are layout units (1 unit = 1 CSS pixel on screen, 1 pt in PDF).  The
 * numbers were picked by looking at the gallery at 960 x 480: ticks at 11.5
 * stay legible in a report column shrunk to two thirds; titles at 16 lead
 * without shouting.
 */
#ifndef PCAPCASE_CHARTS_THEME_H
#define PCAPCASE_CHARTS_THEME_H

#define THEME_FONT_FAMILY "DejaVu Sans" /* fonts-dejavu-core: on every Debian */

#define THEME_TITLE_SIZE 16.0
#define THEME_SUBTITLE_SIZE 12.0
#define THEME_AXIS_LABEL_SIZE 12.5
#define THEME_TICK_SIZE 11.5
#define THEME_LEGEND_SIZE 12.0
#define THEME_NOTE_SIZE 14.0
#define THEME_MARKER_LABEL_SIZE 11.0

#define THEME_PAD 14.0          /* canvas edge to any ink */
#define THEME_GAP 8.0           /* between stacked blocks (title, legend, plot) */
#define THEME_TICK_LEN 5.0      /* outward tick marks */
#define THEME_TICK_GAP 4.0      /* tick mark to its label */
#define THEME_LABEL_GAP 8.0     /* tick labels to the axis label */
#define THEME_LINE_SPACING 1.25 /* line height as a multiple of font size */

/* Greys as 0xRRGGBB. */
#define THEME_TEXT 0x222222       /* titles, axis labels */
#define THEME_TEXT_SOFT 0x555555  /* subtitle, tick labels, notes */
#define THEME_GRID 0xE6E6E6       /* major grid */
#define THEME_GRID_MINOR 0xF2F2F2 /* log-scale minor grid */
#define THEME_SPINE 0x8C8C8C      /* axis lines and ticks */
#define THEME_MARKER 0x444444     /* marker lines */
#define THEME_BACKGROUND 0xFFFFFF

#define THEME_SERIES_WIDTH 1.8 /* line and step series */
#define THEME_GRID_WIDTH 1.0
#define THEME_SPINE_WIDTH 1.0
#define THEME_DOT_RADIUS 2.6 /* scatter dots */
#define THEME_DOT_ALPHA 0.65 /* overplotted dots darken where dense */
#define THEME_POINT_SIZE 4.5 /* half-size of chart_add_points markers */
#define THEME_AREA_ALPHA 0.80
#define THEME_HIST_ALPHA 0.55 /* overlaid histograms stay readable */
#define THEME_BAR_FILL 0.80   /* share of the slot a bar fills */
#define THEME_BAR_MAX 40.0    /* thickest category bar, however few there are */

/* The smallest gap between neighbouring tick labels, as a multiple of the
 * tick font size: closer than this they read as one number. */
#define THEME_TICK_LABEL_SPACING 1.6

#endif
