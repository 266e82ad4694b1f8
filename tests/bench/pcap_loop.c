/* pcap_loop.c — the floor for the benchmarks: read a capture with libpcap and do nothing
 * but count packets and bytes.  No tool that reads every packet through libpcap can be
 * faster than this on the same machine.
 *
 *   pcap_loop FILE     prints "packets N bytes N" (captured bytes)
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_loop FILE\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "pcap_loop: %s: %s\n", argv[1], err);
        return 3;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long long packets = 0, bytes = 0, sum = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        bytes += h->caplen;
        if (h->caplen)
            sum += data[h->caplen - 1]; /* touch the data, as a real reader would */
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap_loop: %s: %s\n", argv[1], pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    printf("packets %llu bytes %llu (check %llu)\n", packets, bytes, sum & 0xff);
    pcap_close(p);
    return 0;
}
