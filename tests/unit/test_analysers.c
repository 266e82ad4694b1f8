/* test_analysers.c — the analyser table's side tables stay in step with it.
 *
 * A CONNECT tunnel names the connection's service "http,NAME" from a table
 * in analysis/inner.c; a TCP analyser added without a line there would log
 * plain "http" for a tunnel that carried it. */
#include "cu_main.h"

#include "analysis/analyser.h"

#include <stdio.h>
#include <string.h>

static void every_tcp_analyser_has_a_tunnel_service(void)
{
    for (const analyser_t *a = analysers; a->name; a++) {
        if (!(a->transport & AN_TCP) || !a->ops)
            continue;
        char want[64];
        snprintf(want, sizeof want, strcmp(a->name, "http") == 0 ? "%s" : "http,%s", a->name);
        CU_ASSERT_STRING_EQUAL(an_tunnel_service(a->name), want);
    }
    CU_ASSERT_STRING_EQUAL(an_tunnel_service("no-such-analyser"), "http");
}

static const cu_test_t tests[] = {
    {"every_tcp_analyser_has_a_tunnel_service", every_tcp_analyser_has_a_tunnel_service},
    {NULL, NULL}};

CU_MAIN("analysers", tests)
