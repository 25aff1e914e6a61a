/*
 * console.h - the guest's console: just enough of COM1 to print.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

/* COM1's eight registers, as every PC has had them since 1981. */
#define COM1_BASE 0x3f8
#define COM1_PORTS 8

bool console_claims(uint16_t port);
void console_write(uint16_t port, uint8_t value);
uint8_t console_read(uint16_t port);

#endif
