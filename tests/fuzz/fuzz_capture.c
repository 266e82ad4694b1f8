/* fuzz_capture.c — whole files through the capture reader and decoder:
 * pcap, pcapng and gzip parsing of arbitrary bytes. */
#include "capture/capture.h"
#include "decode/decode.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64], err[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    capture_t *c = capture_open(path, err, sizeof err);
    if (c) {
        damage_t dmg = {0};
        decoder_t d;
        decoder_init(&d, &dmg);
        capture_pkt_t p;
        packet_t pkt;
        while (capture_next(c, &p) == 1)
            decode_frame(&d, p.linktype, p.data, p.caplen, p.frame, p.ts, &pkt);
        uint8_t sha[32];
        capture_sha256(c, sha);
        decoder_free(&d);
        damage_free(&dmg);
        capture_close(c);
    }
    close(fd);
    return 0;
}
