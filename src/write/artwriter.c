/* artwriter.c — see artwriter.h. */
#include "write/artwriter.h"

#include "core/xalloc.h"
#include "core/fsutil.h"
#include "write/written.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct aw_job {
    struct aw_job *next;
    char *path;
    uint8_t *data;
    size_t len;
    damage_t *damage;
    uint64_t frame;
} aw_job_t;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t more, room;
    aw_job_t *head, *tail;
    aw_job_t *failed; /* jobs whose write failed (data freed) */
    size_t queued;    /* bytes waiting */
    bool running, stopping;
    pthread_t th;
} W = {PTHREAD_MUTEX_INITIALIZER,
       PTHREAD_COND_INITIALIZER,
       PTHREAD_COND_INITIALIZER,
       NULL,
       NULL,
       NULL,
       0,
       false,
       false,
       0};

/* Write the job's file unless it is there; note it when this run made it. */
static int write_and_note(const aw_job_t *j)
{
    bool created = false;
    int rc = write_once(j->path, j->data, j->len, &created);
    if (created)
        written_note(j->path);
    return rc;
}

static void *run(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&W.mu);
    for (;;) {
        while (!W.head && !W.stopping)
            pthread_cond_wait(&W.more, &W.mu);
        aw_job_t *j = W.head;
        if (!j)
            break; /* stopping and drained */
        W.head = j->next;
        if (!W.head)
            W.tail = NULL;
        pthread_mutex_unlock(&W.mu);
        int rc = write_and_note(j);
        free(j->data);
        j->data = NULL;
        pthread_mutex_lock(&W.mu);
        W.queued -= j->len;
        pthread_cond_broadcast(&W.room);
        if (rc != 0) {
            j->next = W.failed;
            W.failed = j;
        } else {
            free(j->path);
            free(j);
        }
    }
    pthread_mutex_unlock(&W.mu);
    return NULL;
}

void artwriter_start(void)
{
    pthread_mutex_lock(&W.mu);
    if (!W.running) {
        W.stopping = false;
        W.running = pthread_create(&W.th, NULL, run, NULL) == 0;
    }
    pthread_mutex_unlock(&W.mu);
}

void artwriter_put(char *path, uint8_t *data, size_t len, damage_t *damage, uint64_t frame)
{
    aw_job_t *j = xcalloc(1, sizeof *j);
    *j = (aw_job_t){NULL, path, data, len, damage, frame};
    pthread_mutex_lock(&W.mu);
    if (!W.running) {
        pthread_mutex_unlock(&W.mu);
        if (write_and_note(j) != 0)
            damage_note(damage, "limit.artifact_write_failed", frame);
        free(j->path), free(j->data), free(j);
        return;
    }
    /* wait for room, unless the queue is empty (one body larger than the cap) */
    while (W.queued && W.queued + len > ARTWRITER_MAX_QUEUED)
        pthread_cond_wait(&W.room, &W.mu);
    if (W.tail)
        W.tail->next = j;
    else
        W.head = j;
    W.tail = j;
    W.queued += len;
    pthread_cond_signal(&W.more);
    pthread_mutex_unlock(&W.mu);
}

void artwriter_stop(void)
{
    pthread_mutex_lock(&W.mu);
    if (!W.running) {
        pthread_mutex_unlock(&W.mu);
        return;
    }
    W.stopping = true;
    pthread_cond_broadcast(&W.more);
    pthread_mutex_unlock(&W.mu);
    pthread_join(W.th, NULL);
    pthread_mutex_lock(&W.mu);
    W.running = false;
    aw_job_t *f = W.failed;
    W.failed = NULL;
    pthread_mutex_unlock(&W.mu);
    while (f) {
        aw_job_t *next = f->next;
        damage_note(f->damage, "limit.artifact_write_failed", f->frame);
        free(f->path);
        free(f);
        f = next;
    }
}
