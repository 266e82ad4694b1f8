#!/bin/sh
# tests/lab/files/install.sh — the Debian packages the files-beyond-HTTP
# recordings need (tests/lab/files/record.sh).  Run as root.  Services the
# packages start at install time are stopped again: record.sh runs its own
# instances from private configurations.
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends \
    python3-pyftpdlib python3-aiosmtpd dovecot-imapd dovecot-pop3d \
    samba smbclient tftpd-hpa tftp-hpa tcpdump curl >/dev/null
for s in smbd nmbd samba-ad-dc dovecot tftpd-hpa; do
    service "$s" stop >/dev/null 2>&1 || true
done
