/*
 * written.h — the evidence files (artifacts/, certs/) this run created.
 *
 * Evidence is content-addressed: a file's name begins with the SHA-256 (hex)
 * of its bytes, computed while they were carved or received, and the file
 * is written once under that name.  manifest.txt must list every evidence
 * file with its SHA-256; reading back hundreds of megabytes the run has
 * just hashed cost a third of a second per GB of artifacts.  So the writers
 * note each file they create here, and the manifest takes the hash of those
 * from the name.  A file that was already in the case folder before this
 * run (kept, not rewritten, because its name says it is the same content)
 * is not noted and is read and hashed as before: its bytes could have been
 * changed since.
 *
 * Thread-safe: the carving workers, the artifact writer thread and the
 * certificate store note files concurrently.  written_created() is for
 * after the writers stopped (the manifest runs last).  Paths are compared
 * as strings: callers use the same case-folder prefix (opts->out_dir).
 */
#ifndef PCAPCASE_WRITTEN_H
#define PCAPCASE_WRITTEN_H

#include <stdbool.h>

/* This run created the file at path (copied). */
void written_note(const char *path);
/* Did this run create it? */
bool written_created(const char *path);
/* Forget every note (a process that writes several cases; tests). */
void written_clear(void);

#endif
