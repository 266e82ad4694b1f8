/*
 * shard.h — the options a partial case records (pipeline/shard.c), shared
 * by `analyze --shard`, which writes them, and `merge`, which checks them.
 */
#ifndef PCAPCASE_SHARD_H
#define PCAPCASE_SHARD_H

#include "case/case.h"
#include "write/partial.h"

/* Add o's options that change the case to h->opts, as "name=value", in a
 * fixed order (two runs with the same options give the same list). */
void shard_head_options(partial_head_t *h, const case_opts_t *o);

#endif
