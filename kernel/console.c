/* The system console. Until console_init() it writes to the target's early UART
 * (EARLY_UART in the target file), so messages, and panics while reading the boot
 * information, are visible from the first instruction of C. Once its interrupt is on
 * (console_rx_interrupts), received bytes go into a ring buffer from the interrupt
 * handler and readers sleep instead of polling. */
#include <stdio.h>

#include "arch.h"
#include "boot_info.h"
#include "console.h"
#include "errors.h"
#include "irq.h"
#include "spinlock.h"
#include "sync.h"
#include "thread.h"
#include "uart.h"

#define RX_RING_SIZE 256 /* a power of two */

static struct {
	char buf[RX_RING_SIZE];
	unsigned int head, tail; /* free-running; head - tail bytes waiting */
	bool interrupts;	 /* filled by the interrupt handler */
	struct console_rx_stats stats;
	struct spinlock lock;
	struct event ready; /* auto-reset: bytes came in (for console_getc_wait) */
} rx = {.lock = SPINLOCK_INIT};

/* Output from several CPUs: one write at a time, so that lines do not interleave. Once
 * a panic starts, another CPU may have stopped while holding it: writes then go out
 * without it. */
static struct spinlock tx_lock = SPINLOCK_INIT;
static bool emergency;

void console_emergency(void)
{
	__atomic_store_n(&emergency, true, __ATOMIC_RELEASE);
}

bool console_in_emergency(void)
{
	return __atomic_load_n(&emergency, __ATOMIC_ACQUIRE);
}

static unsigned long tx_lock_irqsave(void)
{
	unsigned long flags = arch_irq_save();

	if (!console_in_emergency())
		spin_lock(&tx_lock);
	return flags;
}

static void tx_unlock_irqrestore(unsigned long flags)
{
	if (!console_in_emergency())
		spin_unlock(&tx_lock);
	arch_irq_restore(flags);
}

static struct uart console_uart = {
	.ops = &CONCAT(uart_ops_, TARGET_EARLY_UART),
	.base = TARGET_EARLY_UART_BASE,
};

int console_init(const struct boot_console *bc)
{
	const struct uart_ops *ops;

	switch (bc->kind) {
	case CONSOLE_NS16550_MMIO:
		ops = &uart_ops_ns16550_mmio;
		break;
#ifdef CONFIG_ARCH_HAS_PORT_IO
	case CONSOLE_NS16550_PIO:
		ops = &uart_ops_ns16550_pio;
		break;
#endif
	case CONSOLE_PL011:
		ops = &uart_ops_pl011;
		break;
	default:
		return -E_NODEV;
	}
	console_uart.ops = ops;
	console_uart.base = (uintptr_t)bc->base;
	console_uart.reg_shift = bc->reg_shift;
	if (ops->init)
		ops->init(&console_uart);
	return 0;
}

const char *console_name(void)
{
	return console_uart.ops->name;
}

static void put_char(char c)
{
	if (c == '\n')
		console_uart.ops->put_byte(&console_uart, '\r');
	console_uart.ops->put_byte(&console_uart, c);
}

void console_putc(char c)
{
	unsigned long flags = tx_lock_irqsave();

	put_char(c);
	tx_unlock_irqrestore(flags);
}

void console_write(const char *s, size_t len)
{
	unsigned long flags = tx_lock_irqsave();

	while (len--)
		put_char(*s++);
	tx_unlock_irqrestore(flags);
}

void console_puts(const char *s)
{
	unsigned long flags = tx_lock_irqsave();

	while (*s)
		put_char(*s++);
	tx_unlock_irqrestore(flags);
}

int console_vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return n;
	console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

int console_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = console_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* Move every byte the UART holds into the ring; count what does not fit. */
static void drain_uart(void)
{
	int c;

	while ((c = console_uart.ops->get_byte(&console_uart)) >= 0) {
		if (rx.head - rx.tail == RX_RING_SIZE) {
			rx.stats.overflows++;
			continue;
		}
		rx.buf[rx.head++ % RX_RING_SIZE] = (char)c;
		rx.stats.received++;
	}
}

static void rx_interrupt(unsigned int line, void *arg)
{
	(void)line;
	(void)arg;
	spin_lock(&rx.lock);
	rx.stats.interrupts++;
	drain_uart();
	spin_unlock(&rx.lock);
	event_signal(&rx.ready);
}

int console_rx_interrupts(int line)
{
	int err;

	if (line < 0 || !console_uart.ops->rx_interrupt)
		return -E_NODEV;
	event_init(&rx.ready, true);
	err = irq_request((unsigned int)line, rx_interrupt, NULL, "console");
	if (err)
		return err;
	rx.interrupts = true;
	console_uart.ops->rx_interrupt(&console_uart, true);
	return 0;
}

int console_getc(void)
{
	unsigned long flags = spin_lock_irqsave(&rx.lock);
	int c = -1;

	if (!rx.interrupts)
		drain_uart(); /* polled: pick up what the UART has */
	if (rx.head != rx.tail)
		c = (unsigned char)rx.buf[rx.tail++ % RX_RING_SIZE];
	spin_unlock_irqrestore(&rx.lock, flags);
	return c;
}

int console_getc_wait(void)
{
	int c;

	/* Block until a byte comes: the receive interrupt (on whichever CPU takes it)
	 * signals the event, and meanwhile this CPU runs other threads or idles. */
	while ((c = console_getc()) < 0) {
		if (rx.interrupts && thread_current())
			event_wait(&rx.ready);
		else
			arch_cpu_relax();
	}
	return c;
}

void console_rx_stats(struct console_rx_stats *out)
{
	unsigned long flags = spin_lock_irqsave(&rx.lock);

	*out = rx.stats;
	out->waiting = rx.head - rx.tail;
	out->capacity = RX_RING_SIZE;
	out->interrupt_driven = rx.interrupts;
	spin_unlock_irqrestore(&rx.lock, flags);
}
