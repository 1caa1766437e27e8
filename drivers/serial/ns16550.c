/*
 * 16550-compatible UART, polled. Two register accessors: memory-mapped (riscv64 virt,
 * registers 1 << reg_shift bytes apart) and x86 I/O ports (COM1 at 0x3f8). Firmware
 * or QEMU leaves the line configured, so init only turns its interrupts off. (It leaves
 * the FIFO control alone: enabling the FIFOs would discard bytes already received.)
 */
#include "arch.h"
#include "mmio.h"
#include "uart.h"

enum {
	UART_RBR = 0, /* receive buffer (read) */
	UART_THR = 0, /* transmit holding (write) */
	UART_IER = 1, /* interrupt enable */
	UART_MCR = 4, /* modem control */
	UART_LSR = 5, /* line status */
};

#define IER_RX_AVAILABLE 0x01
#define MCR_OUT2	 0x08 /* on PCs, gates the UART's interrupt onto the ISA line */

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

static uint8_t mmio_get(const struct uart *u, unsigned int reg)
{
	return mmio_read8(u->base + (reg << u->reg_shift));
}

static void mmio_set(const struct uart *u, unsigned int reg, uint8_t v)
{
	mmio_write8(u->base + (reg << u->reg_shift), v);
}

#ifdef CONFIG_ARCH_HAS_PORT_IO
static uint8_t pio_get(const struct uart *u, unsigned int reg)
{
	return arch_pio_read8((uint16_t)(u->base + reg));
}

static void pio_set(const struct uart *u, unsigned int reg, uint8_t v)
{
	arch_pio_write8((uint16_t)(u->base + reg), v);
}
#endif

/* One body per accessor pair; the compiler inlines get/set into each. */
#define NS16550_OPS(kind)                                                    \
	static void kind##_init(const struct uart *u)                        \
	{                                                                    \
		kind##_set(u, UART_IER, 0);                                  \
	}                                                                    \
	static void kind##_putc(const struct uart *u, char c)                \
	{                                                                    \
		while (!(kind##_get(u, UART_LSR) & LSR_THR_EMPTY))           \
			arch_cpu_relax();                                    \
		kind##_set(u, UART_THR, (uint8_t)c);                         \
	}                                                                    \
	static int kind##_getc(const struct uart *u)                         \
	{                                                                    \
		if (!(kind##_get(u, UART_LSR) & LSR_DATA_READY))             \
			return -1;                                           \
		return kind##_get(u, UART_RBR);                              \
	}                                                                    \
	static void kind##_rx_interrupt(const struct uart *u, bool enable)   \
	{                                                                    \
		kind##_set(u, UART_MCR, kind##_get(u, UART_MCR) | MCR_OUT2); \
		kind##_set(u, UART_IER, enable ? IER_RX_AVAILABLE : 0);      \
	}                                                                    \
	const struct uart_ops uart_ops_ns16550_##kind = {                    \
		.name = "ns16550",                                           \
		.init = kind##_init,                                         \
		.put_byte = kind##_putc,                                     \
		.get_byte = kind##_getc,                                     \
		.rx_interrupt = kind##_rx_interrupt,                         \
	}

NS16550_OPS(mmio);
#ifdef CONFIG_ARCH_HAS_PORT_IO
NS16550_OPS(pio);
#endif
