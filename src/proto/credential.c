/* credential.c — see credential.h. */
#include "credential.h"

#include "core/xalloc.h"

#include <stdlib.h>

void cred_hold(cred_held_t *h, const char *mechanism, const char *user, const char *secret,
               bool secret_is_hash)
{
    free(h->user), free(h->secret), free(h->domain), free(h->host);
    h->domain = h->host = NULL;
    h->frame = 0;
    h->mechanism = mechanism;
    h->user = xstrdup(user ? user : "");
    h->secret = xstrdup(secret ? secret : "");
    h->secret_is_hash = secret_is_hash;
}

void cred_hold_ntlm(cred_held_t *h, const char *mechanism, const char *user, const char *domain,
                    const char *host, const char *secret)
{
    cred_hold(h, mechanism, user, secret, true);
    h->domain = domain ? xstrdup(domain) : NULL;
    h->host = host ? xstrdup(host) : NULL;
}

void cred_release(cred_held_t *h, void (*report)(void *ctx, const proto_cred_t *c), void *ctx,
                  cred_outcome_t outcome)
{
    if (h->mechanism && report) {
        proto_cred_t c = {h->mechanism, h->user,           h->domain, h->host,
                          h->secret,    h->secret_is_hash, outcome,   h->frame};
        report(ctx, &c);
    }
    free(h->user), free(h->secret), free(h->domain), free(h->host);
    *h = (cred_held_t){0};
}
