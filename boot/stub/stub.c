/*
 * Self-decompressing kernel image (CONFIG_KERNEL_LZ4). The stub is loaded above the
 * kernel's link address; it carries the kernel's raw image as an lz4 frame (lz4 -9,
 * with its content checksum), decompresses it to the link address with the project's
 * own decoder (boot/lz4), which verifies every checksum in the frame, and returns the
 * kernel's entry to the arch code, which enters it with the registers the boot
 * protocol handed over. A corrupt image is reported on the early UART and the machine
 * powers off with the panic status (2), so a test run sees a crash, not a hang.
 */
#include "compiler.h"
#include "lz4_decode.h"
#include "stub.h"
#include "uart.h"

#define EXIT_PANIC 2 /* kernel/include/kernel.h */

static const struct uart early_uart = {
	.ops = &CONCAT(uart_ops_, TARGET_EARLY_UART),
	.base = TARGET_EARLY_UART_BASE,
};

static void puts_early(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			early_uart.ops->put_byte(&early_uart, '\r');
		early_uart.ops->put_byte(&early_uart, *s);
	}
}

static void put_hex(uint64_t v)
{
	char buf[19] = "0x";
	int n = 2;

	for (int shift = 60; shift >= 0; shift -= 4)
		if ((v >> shift) || shift == 0 || n > 2)
			buf[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
	buf[n] = '\0';
	puts_early(buf);
}

uintptr_t stub_main(void)
{
	size_t in_len = (size_t)(stub_payload_end - stub_payload);
	/* Everything from the link address up to the stub itself is the kernel's. */
	size_t room = (size_t)((uintptr_t)__stub_start - TARGET_KERNEL_BASE);
	size_t out_len, where;
	int err;

	err = lz4_frame_decode(stub_payload, in_len, (void *)(uintptr_t)TARGET_KERNEL_BASE, room,
			       &out_len, &where);
	if (err) {
		puts_early("lz4 stub: the compressed kernel is corrupt: ");
		puts_early(lz4_strerror(err));
		puts_early(" (at byte ");
		put_hex(where);
		puts_early(" of the frame); powering off\n");
		stub_poweroff(EXIT_PANIC);
	}
	puts_early("lz4 stub: kernel decompressed, ");
	put_hex(in_len);
	puts_early(" -> ");
	put_hex(out_len);
	puts_early(" bytes at ");
	put_hex(TARGET_KERNEL_BASE);
	puts_early("\n");
	return (uintptr_t)stub_kernel_entry;
}
