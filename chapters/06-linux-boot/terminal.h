/*
 * terminal.h - the VMM's stdin as the receive side of COM1.
 */
#ifndef TERMINAL_H
#define TERMINAL_H

#include "serial.h"

int terminal_start(struct serial *uart);
void terminal_stop(void);
void terminal_restore(void);

#endif
