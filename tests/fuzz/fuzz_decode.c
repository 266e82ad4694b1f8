/* fuzz_decode.c — one frame through the decoder (link to transport, with
 * fragments and tunnels).  The first byte picks the link type; several
 * frames per input (length-prefixed) exercise fragment reassembly. */
#include "core/linktype.h"
#include "decode/decode.h"

#include <string.h>

/* In this order: regression inputs choose by index (first byte modulo 9). */
static const uint16_t linktypes[] = {LINKTYPE_ETHERNET,  LINKTYPE_RAW,        LINKTYPE_IPV4,
                                     LINKTYPE_IPV6,      LINKTYPE_NULL,       LINKTYPE_LOOP,
                                     LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_PPP};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint16_t lt = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
    damage_t dmg = {0};
    decoder_t d;
    decoder_init(&d, &dmg);
    size_t off = 1;
    uint64_t frame = 1;
    while (off + 2 <= size) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        packet_t p;
        decode_frame(&d, lt, data + off, (uint32_t)len, frame, (int64_t)frame * 1000, &p);
        frame++;
        off += len;
    }
    decoder_free(&d);
    damage_free(&dmg);
    return 0;
}
