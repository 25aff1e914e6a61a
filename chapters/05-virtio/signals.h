/*
 * signals.h - Ctrl-C, SIGTERM and SIGHUP: stopping the guest, and
 * saying where it was.
 */
#ifndef SIGNALS_H
#define SIGNALS_H

#include <linux/kvm.h>
#include <stdio.h>

#include "vm.h"

int signals_catch(struct kvm_run *run);
void signals_release(void);
int stop_signal(void);
int stop_report(struct vm *vm, int sig, FILE *out);

#endif
