/*
 * formcreds.h — a login in an HTML form post: the user name and password
 * fields of an application/x-www-form-urlencoded body.
 *
 * Form names are the page author's choice, so fields are recognised by name
 * the way credential scanners do it: a password field is named "password",
 * "passwd", "pass", "pwd", "pw" or contains "pass" (j_password, user_pass,
 * login[password]); a user field is named "user", "username", "login",
 * "email", "uname", "usr", "account", "j_username", "log" or contains "user"
 * or "login" (but not "pass").  Only a body with a password field is a
 * login.  Values are %-decoded ('+' is a space) and cleaned for logging.
 */
#ifndef PCAPCASE_FORMCREDS_H
#define PCAPCASE_FORMCREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Form bodies scanned: login forms are small; a large upload is not one. */
#define FORMCREDS_MAX_BODY 65536
/* A field name or value kept. */
#define FORMCREDS_MAX_FIELD 1024

/* Look for a password field (and a user field) in p[0..n).  On true,
 * *password is set and *user is set or NULL (caller frees both), and
 * *password_field names the field the password came from (caller frees). */
bool formcreds_find(const uint8_t *p, size_t n, char **user, char **password,
                    char **password_field);

#endif
