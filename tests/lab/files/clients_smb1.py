#!/usr/bin/env python3
"""clients_smb1.py — the SMB1 client calls smbclient has no command for, made
with samba's own client library (python3-samba, libsmb forced to SMB1), for
record_smb1_more.sh:

    clients_smb1.py HOST SHARE USER PASSWORD CONTENTDIR CLIENTCONF

- WRITE_ANDX past 4 GiB: uphuge.bin (4 GiB on the server) gets its tail
  written at offset 4 GiB (smbclient 4.17's `reput` writes at offset 0);
- TRANS2_SET_FILE_INFORMATION with SMB_SET_FILE_DISPOSITION_INFO: disp.bin is
  created, written, closed, opened again and marked delete-on-close;
- NT_CREATE_ANDX with FILE_DELETE_ON_CLOSE: doc.bin is created with the
  option, written and closed (the server deletes it at the close).
"""
import os
import sys

from samba import credentials
from samba.samba3 import libsmb_samba_internal as libsmb
from samba.samba3 import param as s3param

FOUR_GIB = 1 << 32
GENERIC_READ_WRITE = 0x001F01FF          # FILE_ALL_ACCESS
DELETE = 0x00010000
SHARE_ALL = 0x7                           # read | write | delete
FILE_OPEN, FILE_OVERWRITE_IF = 1, 5
FILE_NON_DIRECTORY_FILE = 0x40
FILE_DELETE_ON_CLOSE = 0x1000


def main():
    host, share, user, password, cdir, conf = sys.argv[1:7]
    lp = s3param.get_context()
    lp.load(conf)  # an unloaded context fails the connection (NO_MEMORY)
    lp.set("client min protocol", "NT1")
    lp.set("client max protocol", "NT1")
    creds = credentials.Credentials()
    creds.guess(lp)
    creds.set_username(user)
    creds.set_password(password)
    c = libsmb.Conn(host, share, lp, creds, force_smb1=True)

    tail = open(os.path.join(cdir, "uphuge.tail"), "rb").read()
    f = c.create("uphuge.bin", DesiredAccess=GENERIC_READ_WRITE, ShareAccess=SHARE_ALL,
                 CreateDisposition=FILE_OPEN)
    c.write(f, tail, FOUR_GIB)
    c.close(f)

    data = open(os.path.join(cdir, "disp.bin"), "rb").read()
    f = c.create("disp.bin", DesiredAccess=GENERIC_READ_WRITE, ShareAccess=SHARE_ALL,
                 CreateDisposition=FILE_OVERWRITE_IF)
    c.write(f, data, 0)
    c.close(f)
    f = c.create("disp.bin", DesiredAccess=DELETE, ShareAccess=SHARE_ALL,
                 CreateDisposition=FILE_OPEN)
    c.delete_on_close(f, 1)
    c.close(f)

    data = open(os.path.join(cdir, "doc.bin"), "rb").read()
    f = c.create("doc.bin", DesiredAccess=GENERIC_READ_WRITE | DELETE, ShareAccess=SHARE_ALL,
                 CreateDisposition=FILE_OVERWRITE_IF,
                 CreateOptions=FILE_NON_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE)
    c.write(f, data, 0)
    c.close(f)


if __name__ == "__main__":
    main()
