/* UART drivers (drivers/serial): polled byte I/O on one device. */
#ifndef UART_H
#define UART_H

#include <stdbool.h>
#include <stdint.h>

struct uart;

struct uart_ops {
	const char *name;
	void (*init)(const struct uart *u); /* may be NULL: firmware set it up */
	void (*put_byte)(const struct uart *u, char c);
	int (*get_byte)(const struct uart *u); /* -1 if nothing is waiting */
	/* Raise the UART's interrupt while received data is waiting (or stop). */
	void (*rx_interrupt)(const struct uart *u, bool enable);
};

struct uart {
	const struct uart_ops *ops;
	uintptr_t base;		/* MMIO address or I/O port */
	unsigned int reg_shift; /* registers are 1 << reg_shift bytes apart */
};

extern const struct uart_ops uart_ops_ns16550_mmio;
extern const struct uart_ops uart_ops_ns16550_pio;
extern const struct uart_ops uart_ops_pl011;

#endif
