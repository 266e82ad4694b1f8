/* fuzz_mmdb.c — opening an arbitrary file as a MaxMind DB (--mmdb):
 * libmaxminddb's metadata reader, our walk of the search tree and field
 * lookups of a few addresses, among them ones taken from the input.
 * Checked beyond "no crash": a refused file is listed with its reason,
 * and every text field is NUL-terminated within its size. */
#include "case/geoip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void check_text(const char *s, size_t size)
{
    if (!memchr(s, 0, size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libmaxminddb opens a path: give it an in-memory file */
    int fd = memfd_create("fuzz.mmdb", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64], err[512] = "";
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    geoip_t *g = geoip_new();
    if (geoip_add(g, path, err, sizeof err) < 0) {
        if (geoip_count(g) != 1 || !geoip_db(g, 0)->error || !err[0])
            abort();
    } else {
        ipaddr_t ips[6];
        ipaddr_parse("203.0.113.66", &ips[0]);
        ipaddr_parse("2001:db8::1", &ips[1]);
        ipaddr_parse("0.0.0.0", &ips[2]);
        ipaddr_parse("::", &ips[3]);
        ips[4] = (ipaddr_t){.family = 4};
        ips[5] = (ipaddr_t){.family = 6};
        for (size_t i = 0; i < 4 && i < size; i++)
            ips[4].a[i] = data[size - 1 - i];
        for (size_t i = 0; i < 16 && i < size; i++)
            ips[5].a[i] = data[i];
        for (size_t i = 0; i < 6; i++) {
            geoip_info_t info;
            geoip_lookup(g, &ips[i], &info);
            check_text(info.as_org, sizeof info.as_org);
            check_text(info.country, sizeof info.country);
            check_text(info.country_name, sizeof info.country_name);
            check_text(info.city, sizeof info.city);
        }
    }
    geoip_free(g);
    close(fd);
    return 0;
}
