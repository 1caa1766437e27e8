/* ARM PrimeCell PL011 UART (ARM DDI 0183), polled. QEMU's needs no setup; init only
 * masks its interrupts. */
#include "arch.h"
#include "mmio.h"
#include "uart.h"

enum {
	PL011_DR = 0x00,   /* data */
	PL011_FR = 0x18,   /* flags */
	PL011_IMSC = 0x38, /* interrupt mask set/clear */
	PL011_ICR = 0x44,  /* interrupt clear */
};

#define INT_RX (1u << 4) /* receive: FIFO at its trigger level */
#define INT_RT (1u << 6) /* receive timeout: data waiting, fewer than the level */

#define FR_RXFE (1u << 4) /* receive FIFO empty */
#define FR_TXFF (1u << 5) /* transmit FIFO full */

static void pl011_init(const struct uart *u)
{
	mmio_write32(u->base + PL011_IMSC, 0);
}

static void pl011_putc(const struct uart *u, char c)
{
	while (mmio_read32(u->base + PL011_FR) & FR_TXFF)
		arch_cpu_relax();
	mmio_write32(u->base + PL011_DR, (uint8_t)c);
}

static int pl011_getc(const struct uart *u)
{
	if (mmio_read32(u->base + PL011_FR) & FR_RXFE)
		return -1;
	return (int)(mmio_read32(u->base + PL011_DR) & 0xff);
}

/* The receive interrupts stay asserted while data is waiting: reading it clears them. */
static void pl011_rx_interrupt(const struct uart *u, bool enable)
{
	mmio_write32(u->base + PL011_ICR, INT_RX | INT_RT);
	mmio_write32(u->base + PL011_IMSC, enable ? INT_RX | INT_RT : 0);
}

const struct uart_ops uart_ops_pl011 = {
	.name = "pl011",
	.init = pl011_init,
	.put_byte = pl011_putc,
	.get_byte = pl011_getc,
	.rx_interrupt = pl011_rx_interrupt,
};
