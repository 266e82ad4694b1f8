/* formcreds.c — user and password fields of a form post; see formcreds.h. */
#include "formcreds.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/xalloc.h"
#include "imf_field.h"
#include "textline.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* %XX and '+' decoding of one name or value. */
static char *url_decode(cursor_t c)
{
    buf_t b = BUF_INIT;
    uint8_t x, h[2];
    static const char hex[] = "0123456789abcdef";
    while (b.len < FORMCREDS_MAX_FIELD && cursor_u8(&c, &x)) {
        cursor_t save = c;
        if (x == '+') {
            buf_append_byte(&b, ' ');
            continue;
        }
        if (x == '%' && cursor_copy(&c, h, 2)) {
            const char *a = h[0] ? memchr(hex, h[0] | 0x20, 16) : NULL;
            const char *d = h[1] ? memchr(hex, h[1] | 0x20, 16) : NULL;
            if (a && d) {
                buf_append_byte(&b, (uint8_t)((a - hex) << 4 | (d - hex)));
                continue;
            }
            c = save;
        }
        buf_append_byte(&b, x);
    }
    char *s = imf_clean_text(b.data ? b.data : (const uint8_t *)"", b.len);
    buf_free(&b);
    return s;
}

static bool is_password_name(const char *n)
{
    static const char *const exact[] = {"pwd", "pw", "passwd", "password", "pass", NULL};
    for (int i = 0; exact[i]; i++)
        if (strcasecmp(n, exact[i]) == 0)
            return true;
    return strcasestr(n, "pass") != NULL;
}

static bool is_user_name(const char *n)
{
    static const char *const exact[] = {"user",       "username", "login",      "email",
                                        "uname",      "usr",      "account",    "log",
                                        "j_username", "userid",   "user_login", NULL};
    for (int i = 0; exact[i]; i++)
        if (strcasecmp(n, exact[i]) == 0)
            return true;
    return !strcasestr(n, "pass") && (strcasestr(n, "user") || strcasestr(n, "login"));
}

bool formcreds_find(const uint8_t *p, size_t n, char **user, char **password, char **password_field)
{
    *user = *password = *password_field = NULL;
    if (n > FORMCREDS_MAX_BODY)
        return false;
    cursor_t c = cursor_make(p, n), pair;
    while (!cursor_empty(&c)) {
        long amp = cursor_find(&c, '&');
        if (!cursor_sub(&c, amp >= 0 ? (size_t)amp : cursor_left(&c), &pair))
            break; /* cannot happen: the length is what is left */
        if (amp >= 0)
            cursor_skip(&c, 1);
        long eq = cursor_find(&pair, '=');
        if (eq <= 0)
            continue;
        cursor_t name;
        if (!cursor_sub(&pair, (size_t)eq, &name))
            continue; /* cannot happen: '=' was found at eq */
        cursor_skip(&pair, 1);
        char *k = url_decode(name);
        if (!*password && is_password_name(k) && !cursor_empty(&pair)) {
            *password = url_decode(pair);
            *password_field = k;
            continue;
        }
        if (!*user && is_user_name(k) && !cursor_empty(&pair))
            *user = url_decode(pair);
        free(k);
    }
    if (*password)
        return true;
    free(*user);
    *user = NULL;
    return false;
}
