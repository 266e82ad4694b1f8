/* detect_app.c — findings from application data: DNS tunnelling, suspicious
 * TLS, cleartext credentials, MIME mismatches.
 *
 * In progress: these need the DNS, TLS and HTTP summaries that the analysers
 * are being wired to produce; until then they find nothing. */
#include "case/findings.h"

void detect_dns_tunnels(const case_t *k, findings_t *f) { (void)k, (void)f; }
void detect_app(const case_t *k, findings_t *f) { (void)k, (void)f; }
