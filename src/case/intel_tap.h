/*
 * intel_tap.h — --intel matching on the records of one capture.
 *
 * The tap is a record sink (model/sink.h) placed in front of another: every
 * record goes on to that sink unchanged, and every value in it that can be
 * an indicator is looked up in the case's intel set (case/intel.h).  What
 * matches goes to the same sink as an intel sighting (model/records.h,
 * intel.ndjson): the value, its type, where it was seen — Zeek's
 * seen.where names — and which indicators of which feeds it matched.
 *
 *   Conn::IN_ORIG, Conn::IN_RESP        connection addresses
 *   DNS::IN_REQUEST                     the query name
 *   DNS::IN_RESPONSE                    answer addresses and names (CNAME, PTR, NS, DNAME)
 *   HTTP::IN_HOST_HEADER                Host, without its port
 *   HTTP::IN_URL                        host + URI, as Zeek's HTTP::build_url
 *   HTTP::IN_REFERRER_HEADER            Referer, as a URL
 *   HTTP::IN_USER_AGENT_HEADER          User-Agent, as SOFTWARE
 *   SSL::IN_SERVER_NAME                 the SNI
 *   SSL::IN_CLIENT_HELLO                JA3 and JA4 (ours: Zeek has no fingerprint types)
 *   SSL::IN_SERVER_HELLO                JA3S (ours)
 *   X509::IN_CERT                       fingerprints (SHA-256, SHA-1), CN and DNS names,
 *                                       IP addresses of each certificate
 *   Files::IN_HASH, Files::IN_NAME      carved files' MD5, SHA-1, SHA-256 and name
 *   HTTP::IN_AUTHORIZATION_HEADER       Basic user names, as USER_NAME (and EMAIL when
 *                                       one is an address) (ours)
 *   FTP::IN_USER                        FTP user names, the same way (ours)
 *
 * Thread: one tap per capture, on that capture's thread; the intel set is
 * shared read-only.
 */
#ifndef PCAPCASE_INTEL_TAP_H
#define PCAPCASE_INTEL_TAP_H

#include "case/intel.h"
#include "model/sink.h"

typedef struct intel_tap {
    record_sink_t sink;        /* give this to the analysis */
    const record_sink_t *next; /* where records and sightings go */
    const intel_set_t *set;
} intel_tap_t;

/* Set t up in front of next (which must outlive it).  Nothing to free. */
void intel_tap_init(intel_tap_t *t, const record_sink_t *next, const intel_set_t *set);

#endif
