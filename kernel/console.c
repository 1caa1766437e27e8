/* The system console. Until console_init() it writes to the target's early UART
 * (EARLY_UART in the target file), so messages, and panics while reading the boot
 * information, are visible from the first instruction of C. */
#include <stdio.h>

#include "boot_info.h"
#include "console.h"
#include "errors.h"
#include "uart.h"

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

void console_putc(char c)
{
	if (c == '\n')
		console_uart.ops->put_byte(&console_uart, '\r');
	console_uart.ops->put_byte(&console_uart, c);
}

void console_write(const char *s, size_t len)
{
	while (len--)
		console_putc(*s++);
}

void console_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
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

int console_getc(void)
{
	return console_uart.ops->get_byte(&console_uart);
}
