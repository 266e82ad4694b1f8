/*
 * interrupt.h — stopping cleanly on SIGINT / SIGTERM.
 *
 * The handler only sets a flag; long loops (packet reading) poll it and stop.
 * The case writer then leaves the previous complete result in place and the
 * INCOMPLETE marker in the case folder, instead of presenting a half-written
 * report as complete.
 */
#ifndef PCAPCASE_INTERRUPT_H
#define PCAPCASE_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

extern volatile sig_atomic_t pcapcase_interrupted;

/* Install the handlers (idempotent). */
void interrupt_install(void);
static inline bool interrupted(void)
{
    return pcapcase_interrupted != 0;
}

#endif
