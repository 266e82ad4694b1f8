/* interrupt.c — see interrupt.h. */
#include "interrupt.h"

#include <string.h>

volatile sig_atomic_t pcapcase_interrupted = 0;

static void on_signal(int sig)
{
    pcapcase_interrupted = sig;
}

void interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
