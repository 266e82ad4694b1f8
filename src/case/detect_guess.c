/* detect_guess.c — password guessing: one client's logins over one protocol
 * rejected again and again, against one account with many passwords (brute
 * force), many accounts with few passwords (a spray), or one account with
 * the same password each time (a client or script with an old password);
 * and whether a guess was then accepted.  Only logins whose answer was seen
 * count (credentials.ndjson `outcome`); docs/findings.md has the rules.
 * Web form logins have no outcome (the answer to a form does not say): there
 * every login counts as a try, and only many different passwords or users
 * make it guessing. */
#include "case/findings.h"

#include "case/group.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rejections counted against guess_min_rejected fall within this many
 * seconds (the busiest such stretch); the finding describes them all. */
#define GUESS_WINDOW_S 3600
/* Distinct accounts rejected that make a spray. */
#define GUESS_SPRAY_USERS 5
/* Users and servers listed in the details. */
#define GUESS_MAX_LISTED 20
/* High severity at this many times the threshold, accepted or not. */
#define GUESS_HIGH_FACTOR 10
/* Form logins (no outcome): distinct passwords tried for one account that
 * make guessing (fewer: a person or a script logging in again). */
#define GUESS_FORM_PASSWORDS 5
/* The protocol whose logins carry no outcome. */
#define GUESS_FORM_PROTO "http-form"

static const cred_rec_t *CR(const void *p)
{
    return *(const cred_rec_t *const *)p;
}

static int key_client_proto(const void *a, const void *b)
{
    const cred_rec_t *x = CR(a), *y = CR(b);
    int c = ipaddr_cmp(&x->client, &y->client);
    return c ? c : strcmp(x->proto, y->proto);
}

static int within_time(const void *a, const void *b)
{
    const cred_rec_t *x = CR(a), *y = CR(b);
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->capture != y->capture)
        return x->capture < y->capture ? -1 : 1;
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_server(const void *a, const void *b)
{
    const cred_rec_t *x = CR(a), *y = CR(b);
    int c = ipaddr_cmp(&x->server, &y->server);
    return c ? c : (x->server_p > y->server_p) - (x->server_p < y->server_p);
}

/* Sorts v[0..n) by cmp and keeps one of each; the count left. */
static size_t uniq(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (!n)
        return 0;
    xqsort(v, n, size, cmp);
    char *b = v;
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (cmp(b + (k - 1) * size, b + i * size) != 0)
            memmove(b + k++ * size, b + i * size, size);
    return k;
}

/* The most rejections within GUESS_WINDOW_S, and the span they cover. */
static size_t busiest(const cred_rec_t *const *rej, size_t n, double *span)
{
    size_t best = 0;
    *span = 0;
    for (size_t i = 0, j = 0; j < n; j++) {
        while ((double)(rej[j]->ts - rej[i]->ts) / 1e9 > GUESS_WINDOW_S)
            i++;
        if (j - i + 1 > best) {
            best = j - i + 1;
            *span = (double)(rej[j]->ts - rej[i]->ts) / 1e9;
        }
    }
    return best;
}

/* "N s", "N min" or "N h" for a summary. */
static void span_text(double s, char *out, size_t n)
{
    if (s < 1)
        snprintf(out, n, "under a second");
    else if (s < 120)
        snprintf(out, n, "%.0f s", s);
    else if (s < 7200)
        snprintf(out, n, "%.0f min", s / 60);
    else
        snprintf(out, n, "%.1f h", s / 3600);
}

typedef struct {
    const cred_rec_t **rej; /* rejected logins, in time order */
    size_t nrej;
    const char **users; /* distinct user names rejected */
    size_t nusers;
    uint64_t *pw; /* distinct clear-text passwords rejected (hashes) */
    size_t npw;
    size_t pw_known;            /* rejected logins whose password was readable */
    const cred_rec_t **servers; /* one login per distinct server and port */
    size_t nservers;
    const cred_rec_t *won; /* the first acceptance of a rejected user after a rejection */
    bool tries;            /* form logins: every login counted as a try (no outcome) */
} guesses_t;

static bool rejected_user(const guesses_t *g, const char *user)
{
    return bsearch(&user, g->users, g->nusers, sizeof *g->users, cmp_str) != NULL;
}

static void gather(const cred_rec_t *const *v, size_t n, guesses_t *g)
{
    g->rej = xcalloc(n, sizeof *g->rej);
    g->users = xcalloc(n, sizeof *g->users);
    g->pw = xcalloc(n, sizeof *g->pw);
    g->servers = xcalloc(n, sizeof *g->servers);
    for (size_t i = 0; i < n; i++) {
        g->servers[g->nservers++] = v[i];
        if (v[i]->outcome != LOGIN_REJECTED && !g->tries)
            continue;
        g->rej[g->nrej++] = v[i];
        g->users[g->nusers++] = v[i]->username;
        if (v[i]->secret_hash)
            g->pw[g->npw++] = v[i]->secret_hash, g->pw_known++;
    }
    g->nusers = uniq(g->users, g->nusers, sizeof *g->users, cmp_str);
    g->npw = uniq(g->pw, g->npw, sizeof *g->pw, cmp_u64);
    g->nservers = uniq(g->servers, g->nservers, sizeof *g->servers, cmp_server);
    for (size_t i = 0; g->nrej && !g->tries && i < n && !g->won; i++)
        if (v[i]->outcome == LOGIN_ACCEPTED && v[i]->ts >= g->rej[0]->ts &&
            rejected_user(g, v[i]->username))
            g->won = v[i];
}

static void guesses_free(guesses_t *g)
{
    free(g->rej), free(g->users), free(g->pw), free(g->servers);
}

/* What the rejections look like: a spray over accounts, one password again
 * and again, or guessing (many passwords, or passwords not readable). */
static const char *kind_of(const guesses_t *g)
{
    if (g->nusers >= GUESS_SPRAY_USERS)
        return "spray";
    if (g->pw_known == g->nrej && g->npw <= g->nusers)
        return "same_password";
    return "brute_force";
}

typedef struct {
    const case_t *k;
    findings_t *f;
} guess_ctx_t;

static void visit_client(void *items, size_t n, void *ctx)
{
    const guess_ctx_t *gc = ctx;
    findings_t *f = gc->f;
    const cred_rec_t *const *v = items;
    guesses_t g = {.tries = strcmp(v[0]->proto, GUESS_FORM_PROTO) == 0};
    gather(v, n, &g);
    double span;
    size_t best = busiest(g.rej, g.nrej, &span);
    /* form logins: the same account and password again is no guess */
    bool varied =
        g.nusers >= GUESS_SPRAY_USERS || (g.pw_known == g.nrej && g.npw >= GUESS_FORM_PASSWORDS);
    if (!g.nrej || best < f->th.guess_min_rejected || (g.tries && !varied)) {
        guesses_free(&g);
        return;
    }
    const cred_rec_t *c = v[0];
    const char *kind = kind_of(&g);
    char a[IPADDR_STRLEN], b[IPADDR_STRLEN], when[32], server[IPADDR_STRLEN + 8];
    span_text((double)(g.rej[g.nrej - 1]->ts - g.rej[0]->ts) / 1e9, when, sizeof when);
    if (g.nservers == 1)
        snprintf(server, sizeof server, "%s:%u", ipaddr_str(&g.servers[0]->server, b),
                 g.servers[0]->server_p);
    else
        snprintf(server, sizeof server, "%zu servers", g.nservers);
    char who[140], tried[200];
    if (g.nusers == 1 && !g.users[0][0]) /* a form with a password field only */
        snprintf(who, sizeof who, "one account (no user name sent)");
    else if (g.nusers == 1)
        snprintf(who, sizeof who, "user \"%s\"", g.users[0]);
    else
        snprintf(who, sizeof who, "%zu users", g.nusers);
    if (!strcmp(kind, "spray"))
        snprintf(tried, sizeof tried, "%zu accounts tried%s", g.nusers,
                 g.pw_known == g.nrej && g.npw == 1 ? " with one password" : "");
    else if (!strcmp(kind, "same_password"))
        snprintf(tried, sizeof tried, "the same password each time for %s", who);
    else if (g.pw_known == g.nrej)
        snprintf(tried, sizeof tried, "%zu passwords tried for %s", g.npw, who);
    else
        snprintf(tried, sizeof tried, "%s", who);
    char won[200] = "";
    if (g.won)
        snprintf(won, sizeof won, "; then \"%s\" was accepted (%s frame %llu)", g.won->username,
                 gc->k->r[g.won->capture]->name, (unsigned long long)g.won->frame);
    char *summary =
        g.tries ? xasprintf("%s posted %zu login forms to %s in %s: %s (the answers to a form do "
                            "not say which logins worked)",
                            ipaddr_str(&c->client, a), g.nrej, server, when, tried)
                : xasprintf("%s had %zu %s logins rejected by %s in %s: %s%s",
                            ipaddr_str(&c->client, a), g.nrej, c->proto, server, when, tried, won);

    bool stale = !strcmp(kind, "same_password");
    bool many = best >= (size_t)GUESS_HIGH_FACTOR * f->th.guess_min_rejected;
    /* an old password again and again, then the right one, is a client set
     * right, not a guess that worked */
    int sev = stale ? SEV_LOW : g.won || many ? SEV_HIGH : SEV_MEDIUM;
    double score = stale ? 40 : g.won ? 92 : fmin(90, 65 + 10 * log10((double)best));
    finding_t *x = findings_add(f, "password_guessing", sev, score, summary);
    if (stale)
        finding_why(x, xasprintf("%zu logins were refused with one and the same password: most "
                                 "often a program still using an old password, sometimes a "
                                 "script; it can lock the account.",
                                 g.nrej));
    else
        finding_why(x,
                    xasprintf("%s %zu %s within an hour; %s%s",
                              g.tries ? "A person logging in to a web form tries one password, "
                                        "perhaps two, not"
                                      : "Ordinary users mistype a password a few times, not",
                              best, g.tries ? "varied logins" : "times",
                              !strcmp(kind, "spray")
                                  ? "trying few passwords over many accounts is a password spray, "
                                    "made to stay under lockout limits."
                                  : "trying password after password is a guessing (brute-force) "
                                    "attack.",
                              g.won ? " A login was then accepted for a user the guesses were "
                                      "aimed at: that account is probably compromised."
                                    : ""));
    finding_score(x, g.tries ? "attempts" : "rejections",
                  fmin(1, (double)best / (GUESS_HIGH_FACTOR * (double)f->th.guess_min_rejected)));
    finding_score(x, "accounts", fmin(1, (double)g.nusers / (2.0 * GUESS_SPRAY_USERS)));
    if (!g.tries) /* a form's answer says nothing of acceptance */
        finding_score(x, "accepted_after", g.won ? 1 : 0);
    finding_host(x, &c->client);
    for (size_t i = 0; i < g.nservers && x->nhosts < FINDING_MAX_HOSTS; i++)
        finding_host(x, &g.servers[i]->server);
    x->first = g.rej[0]->ts;
    x->last = g.won && g.won->ts > g.rej[g.nrej - 1]->ts ? g.won->ts : g.rej[g.nrej - 1]->ts;
    size_t room = FINDING_MAX_EVIDENCE - (g.won ? 1 : 0);
    for (size_t m = 0; m < g.nrej && x->nev < room; m++)
        finding_evidence(x, g.rej[m]->capture, g.rej[m]->frame, g.rej[m]->uid);
    if (g.won)
        finding_evidence(x, g.won->capture, g.won->frame, g.won->uid);

    finding_str(x, "kind", kind);
    finding_str(x, "proto", c->proto);
    if (g.tries) { /* no outcome: tries, not refusals */
        finding_uint(x, "attempts", g.nrej);
        finding_uint(x, "attempts_in_window", best);
    } else {
        finding_uint(x, "rejected", g.nrej);
        finding_uint(x, "rejected_in_window", best);
    }
    finding_num(x, "window_s", GUESS_WINDOW_S, 0);
    finding_num(x, "span_s", span, 1);
    finding_uint(x, "accounts", g.nusers);
    finding_strs(x, "users");
    for (size_t i = 0; i < g.nusers && i < GUESS_MAX_LISTED; i++)
        finding_strs_add(x, g.users[i]);
    if (g.pw_known == g.nrej)
        finding_uint(x, "passwords", g.npw);
    finding_uint(x, "server_count", g.nservers);
    finding_strs(x, "servers");
    for (size_t i = 0; i < g.nservers && i < GUESS_MAX_LISTED; i++) {
        char s[IPADDR_STRLEN + 8];
        snprintf(s, sizeof s, "%s:%u", ipaddr_str(&g.servers[i]->server, b),
                 g.servers[i]->server_p);
        finding_strs_add(x, s);
    }
    if (g.won) {
        finding_str(x, "accepted_user", g.won->username);
        finding_uint(x, "accepted_frame", g.won->frame);
    }
    guesses_free(&g);
}

void detect_guessing(const case_t *k, findings_t *f)
{
    size_t total;
    const cred_rec_t **all = case_creds(k, &total);
    const cred_rec_t **v = all;
    size_t n = 0;
    for (size_t i = 0; i < total; i++)
        if (all[i]->username && all[i]->proto)
            v[n++] = all[i];
    group_by(v, n, sizeof *v, &(grouping_t){key_client_proto, within_time}, visit_client,
             &(guess_ctx_t){k, f});
    free(all);
}
