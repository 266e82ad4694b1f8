/*
 * format.c — value and tick label formatting (format.h, chart_format_value).
 *
 * One rule for single values (tables, bar labels): at most three significant
 * digits and one decimal, trailing ".0" dropped — 1536000 B/s is "1.5 MB/s",
 * 153600 is "154 kB/s".  Ticks instead share a prefix and a number of
 * decimals along the axis, like matplotlib's, so "0.5" and "1.0" line up.
 */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct prefix {
    double divisor;
    const char *name;
} prefix_t;

static const prefix_t SI_PREFIXES[] = {
    {1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}, {1e15, "P"}, {1e18, "E"},
};
static const prefix_t BINARY_PREFIXES[] = {
    {1, ""},
    {1024.0, "Ki"},
    {1048576.0, "Mi"},
    {1073741824.0, "Gi"},
    {1099511627776.0, "Ti"},
    {1125899906842624.0, "Pi"},
    {1152921504606846976.0, "Ei"},
};
/* Durations: below a second by powers of 1000, above by clock units. */
static const prefix_t DURATION_UNITS[] = {
    {1e-9, "ns"}, {1e-6, "\xC2\xB5s"}, {1e-3, "ms"}, {1, "s"},
    {60, "min"},  {3600, "h"},         {86400, "d"},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* The largest prefix whose divisor is <= |v| (the first for |v| < 1). */
static const prefix_t *pick_prefix(const prefix_t *p, size_t n, double v)
{
    double a = fabs(v);
    size_t best = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].divisor <= a * (1 + 1e-12))
            best = i;
    return &p[best];
}

/* Fewest decimals (0..6) that write x exactly enough to tell ticks apart. */
static int decimals_for(double x)
{
    x = fabs(x);
    for (int d = 0; d < 6; d++) {
        double scaled = x * pow(10, d);
        if (fabs(scaled - round(scaled)) < 1e-6 * (scaled > 1 ? scaled : 1))
            return d;
    }
    return 6;
}

/* Insert thousands separators into the integer part of a printed number
 * ("-1234567.5" -> "-1,234,567.5"); leaves s alone if the result would not
 * fit cap. */
static void group_thousands(char *s, size_t cap)
{
    char tmp[FORMAT_MAX * 2];
    size_t sign = s[0] == '-';
    size_t int_len = strcspn(s + sign, ".");
    const char *rest = s + sign + int_len;
    size_t o = 0;
    if (int_len <= 3 || sign + int_len + int_len / 3 + strlen(rest) + 1 > sizeof tmp)
        return;
    if (sign)
        tmp[o++] = '-';
    for (size_t i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0)
            tmp[o++] = ',';
        tmp[o++] = s[sign + i];
    }
    size_t rest_len = strlen(rest);
    if (o + rest_len + 1 > cap)
        return;
    memcpy(tmp + o, rest, rest_len + 1);
    memcpy(s, tmp, o + rest_len + 1);
}

/* Print m with `decimals` digits, dropping a trailing ".0..." if trim. */
static void print_mantissa(char *out, size_t len, double m, int decimals, bool trim)
{
    snprintf(out, len, "%.*f", decimals, m);
    if (out[0] == '-' && strspn(out + 1, "0.") == strlen(out + 1)) /* "-0.0" */
        memmove(out, out + 1, strlen(out));
    if (trim && strchr(out, '.')) {
        char *e = out + strlen(out) - 1;
        while (*e == '0')
            *e-- = '\0';
        if (*e == '.')
            *e = '\0';
    }
}

/* Join number, prefix and unit: "1.5 MB/s"; "1.5k" without a unit; the
 * number alone when both are empty. */
static void join_unit(char *out, size_t len, const char *num, const char *prefix, const char *unit)
{
    bool has_unit = unit && unit[0];
    snprintf(out, len, "%s%s%s%s", num, has_unit ? " " : "", prefix, has_unit ? unit : "");
}

/* Single values: three significant digits, at most one decimal. */
static int value_decimals(double m)
{
    double a = fabs(m);
    return a >= 100 ? 0 : 1;
}

static void format_prefixed(char *out, size_t len, double v, const prefix_t *p, size_t np,
                            double base, const char *unit)
{
    const prefix_t *pre = pick_prefix(p, np, v);
    double m = v / pre->divisor;
    /* 999.96 k would print as "1000 k": move up a prefix instead. */
    if (fabs(round(m * 10) / 10) >= base && pre + 1 < p + np) {
        pre++;
        m = v / pre->divisor;
    }
    char num[FORMAT_MAX];
    print_mantissa(num, sizeof num, m, value_decimals(m), true);
    join_unit(out, len, num, pre->name, unit);
}

static void format_number(char *out, size_t len, double v, const char *unit)
{
    char num[FORMAT_MAX];
    if (fabs(v) >= 1e6) {
        format_prefixed(num, sizeof num, v, SI_PREFIXES, COUNT(SI_PREFIXES), 1000, NULL);
    } else {
        double a = fabs(v);
        print_mantissa(num, sizeof num, v, a >= 100 ? 0 : a >= 10 ? 1 : 2, true);
        group_thousands(num, sizeof num);
    }
    join_unit(out, len, num, "", unit);
}

static void format_duration(char *out, size_t len, double v)
{
    if (v == 0) {
        snprintf(out, len, "0 s");
        return;
    }
    const prefix_t *u = pick_prefix(DURATION_UNITS, COUNT(DURATION_UNITS), v);
    char num[FORMAT_MAX];
    print_mantissa(num, sizeof num, v / u->divisor, value_decimals(v / u->divisor), true);
    snprintf(out, len, "%s %s", num, u->name);
}

char *chart_format_time(char *out, size_t len, double epoch_sec, int offset_sec)
{
    if (len == 0)
        return out;
    if (!isfinite(epoch_sec) || fabs(epoch_sec) > 1e13) {
        snprintf(out, len, "n/a");
        return out;
    }
    time_t t = (time_t)floor(epoch_sec + offset_sec);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, len, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return out;
}

char *chart_format_value(char *out, size_t len, double v, chart_format_t format, const char *unit)
{
    if (len == 0)
        return out;
    if (!isfinite(v)) {
        snprintf(out, len, "n/a");
        return out;
    }
    switch (format) {
    case CHART_FMT_SI:
        format_prefixed(out, len, v, SI_PREFIXES, COUNT(SI_PREFIXES), 1000, unit);
        break;
    case CHART_FMT_BINARY:
        format_prefixed(out, len, v, BINARY_PREFIXES, COUNT(BINARY_PREFIXES), 1024, unit);
        break;
    case CHART_FMT_DURATION:
    case CHART_FMT_RELTIME:
        format_duration(out, len, v);
        break;
    case CHART_FMT_TIME:
        chart_format_time(out, len, v, 0);
        break;
    case CHART_FMT_NUMBER:
    default:
        format_number(out, len, v, unit);
        break;
    }
    return out;
}

/* ---- Tick labels --------------------------------------------------------- */

/* Duration unit for ticks: whole clock units when the step is a multiple of
 * one (30 s steps stay in seconds, 5 min steps read "5 min"), else the unit
 * of the largest tick so that "0.5 s" and "1.0 s" agree. */
static const prefix_t *duration_tick_unit(double maxabs, double step)
{
    if (step >= 1) {
        for (size_t i = COUNT(DURATION_UNITS); i-- > 0;) {
            const prefix_t *u = &DURATION_UNITS[i];
            if (u->divisor < 1 || u->divisor > maxabs)
                continue;
            double k = step / u->divisor;
            if (fabs(k - round(k)) < 1e-9 && k >= 1)
                return u;
        }
        return &DURATION_UNITS[3]; /* seconds */
    }
    if (maxabs >= 1)
        return &DURATION_UNITS[3];
    return pick_prefix(DURATION_UNITS, 4, maxabs > 0 ? maxabs : step);
}

void format_tick_style(tick_style_t *ts, chart_format_t format, const char *unit, bool log,
                       const double *v, size_t n, double step, int tz_offset)
{
    double maxabs = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > maxabs)
            maxabs = fabs(v[i]);
    *ts = (tick_style_t){.format = format,
                         .unit = unit,
                         .log = log,
                         .divisor = 1,
                         .prefix = "",
                         .tz_offset = tz_offset,
                         .step = step};
    const prefix_t *p = NULL;
    switch (format) {
    case CHART_FMT_SI:
        p = pick_prefix(SI_PREFIXES, COUNT(SI_PREFIXES), maxabs);
        break;
    case CHART_FMT_BINARY:
        p = pick_prefix(BINARY_PREFIXES, COUNT(BINARY_PREFIXES), maxabs);
        break;
    case CHART_FMT_NUMBER:
        if (maxabs >= 1e6)
            p = pick_prefix(SI_PREFIXES, COUNT(SI_PREFIXES), maxabs);
        break;
    case CHART_FMT_DURATION:
    case CHART_FMT_RELTIME:
        p = duration_tick_unit(maxabs, step);
        break;
    case CHART_FMT_TIME:
        ts->decimals = step < 1 ? decimals_for(step) : 0;
        return;
    }
    if (p) {
        ts->divisor = p->divisor;
        ts->prefix = p->name;
    }
    ts->decimals = decimals_for(step / ts->divisor);
}

static void format_clock(const tick_style_t *ts, double v, char *out, size_t len)
{
    double scale = pow(10, ts->decimals);
    double local = round((v + ts->tz_offset) * scale) / scale;
    double whole = floor(local);
    time_t t = (time_t)whole;
    struct tm tm;
    gmtime_r(&t, &tm);
    if (ts->step >= 86400)
        snprintf(out, len, "%s %d", MONTHS[tm.tm_mon], tm.tm_mday);
    else if (ts->step >= 60)
        snprintf(out, len, "%02d:%02d", tm.tm_hour, tm.tm_min);
    else if (ts->decimals == 0)
        snprintf(out, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    else {
        char frac[16];
        snprintf(frac, sizeof frac, "%.*f", ts->decimals, local - whole);
        snprintf(out, len, "%02d:%02d:%02d%s", tm.tm_hour, tm.tm_min, tm.tm_sec, frac + 1);
    }
}

/* A log-axis tick: its own prefix, its own (few) decimals. */
static void format_log_tick(const tick_style_t *ts, double v, char *out, size_t len)
{
    char num[FORMAT_MAX];
    if (ts->format == CHART_FMT_DURATION || ts->format == CHART_FMT_RELTIME) {
        const prefix_t *u = pick_prefix(DURATION_UNITS, COUNT(DURATION_UNITS), v);
        double m = v / u->divisor;
        print_mantissa(num, sizeof num, m, decimals_for(m) > 3 ? 3 : decimals_for(m), true);
        snprintf(out, len, "%s %s", num, u->name);
        return;
    }
    const prefix_t *p = SI_PREFIXES;
    size_t np = COUNT(SI_PREFIXES);
    if (ts->format == CHART_FMT_BINARY)
        p = BINARY_PREFIXES, np = COUNT(BINARY_PREFIXES);
    bool plain = ts->format == CHART_FMT_NUMBER && fabs(v) < 1e6;
    const prefix_t *pre = plain ? &SI_PREFIXES[0] : pick_prefix(p, np, v);
    double m = v / pre->divisor;
    print_mantissa(num, sizeof num, m, decimals_for(m) > 3 ? 3 : decimals_for(m), true);
    if (ts->format == CHART_FMT_NUMBER) {
        if (plain)
            group_thousands(num, sizeof num);
        char with_prefix[FORMAT_MAX];
        snprintf(with_prefix, sizeof with_prefix, "%s%s", num, pre->name);
        join_unit(out, len, with_prefix, "", ts->unit);
        return;
    }
    join_unit(out, len, num, pre->name, ts->unit);
}

static void format_tick_ascii(const tick_style_t *ts, double v, char *out, size_t len)
{
    if (ts->format == CHART_FMT_TIME) {
        format_clock(ts, v, out, len);
        return;
    }
    if (ts->log && v > 0) {
        format_log_tick(ts, v, out, len);
        return;
    }
    bool duration = ts->format == CHART_FMT_DURATION || ts->format == CHART_FMT_RELTIME;
    double m = v / ts->divisor;
    char num[FORMAT_MAX];
    if (fabs(m) < 0.5 * pow(10, -ts->decimals)) {
        /* Zero reads best bare; durations keep the unit ("0 s"). */
        snprintf(out, len, duration ? "0 %s" : "0", ts->prefix);
        return;
    }
    print_mantissa(num, sizeof num, m, ts->decimals, false);
    if (duration) {
        snprintf(out, len, "%s %s", num, ts->prefix);
        return;
    }
    if (ts->format == CHART_FMT_NUMBER) {
        if (ts->divisor == 1)
            group_thousands(num, sizeof num);
        char with_prefix[FORMAT_MAX];
        snprintf(with_prefix, sizeof with_prefix, "%s%s", num, ts->prefix);
        join_unit(out, len, with_prefix, "", ts->unit);
        return;
    }
    join_unit(out, len, num, ts->prefix, ts->unit);
}

void format_tick(const tick_style_t *ts, double v, char *out, size_t len)
{
    if (len == 0)
        return;
    format_tick_ascii(ts, v, out, len);
    /* A real minus sign on ticks, as typeset numbers have: "-" is a hyphen,
     * shorter than the digits it stands before. */
    size_t n = strlen(out);
    if (out[0] == '-' && n + 3 <= len) {
        memmove(out + 3, out + 1, n);
        memcpy(out, "\xE2\x88\x92", 3);
    }
}

void format_tick_date(const tick_style_t *ts, double v, double prev, bool first, char *out,
                      size_t len)
{
    if (len == 0)
        return;
    out[0] = '\0';
    if (ts->format != CHART_FMT_TIME)
        return;
    time_t t = (time_t)floor(v + ts->tz_offset), tp = (time_t)floor(prev + ts->tz_offset);
    struct tm tm, tmp;
    gmtime_r(&t, &tm);
    gmtime_r(&tp, &tmp);
    if (ts->step >= 86400) {
        if (first || tm.tm_year != tmp.tm_year)
            snprintf(out, len, "%04d", tm.tm_year + 1900);
        return;
    }
    if (first || tm.tm_yday != tmp.tm_yday || tm.tm_year != tmp.tm_year)
        snprintf(out, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
