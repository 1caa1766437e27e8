/*
 * QEMU's firmware configuration device over x86 I/O ports (QEMU docs/specs/fw_cfg.rst):
 * write a 16-bit key to the selector port, then read the item byte by byte from the
 * data port. Key 0x19 is the file directory: a big-endian count, then 64-byte entries
 * (size, key, name). Used when no boot protocol hands over a memory map (U-Boot's
 * bootelf): QEMU describes RAM in the file "etc/e820".
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "x86.h"

#define FW_CFG_PORT_SEL	 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR	 0x0019

struct fw_cfg_file {
	uint32_t size;	 /* big endian */
	uint16_t select; /* big endian */
	uint16_t reserved;
	char name[56];
};

static void fw_cfg_read(void *buf, unsigned long size)
{
	uint8_t *p = buf;

	while (size--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

static uint32_t be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static bool fw_cfg_present(void)
{
	char sig[4];

	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	fw_cfg_read(sig, sizeof(sig));
	return memcmp(sig, "QEMU", 4) == 0;
}

long fw_cfg_read_file(const char *name, void *buf, unsigned long size)
{
	uint32_t count;

	if (!fw_cfg_present())
		return -1;
	outw(FW_CFG_PORT_SEL, FW_CFG_FILE_DIR);
	fw_cfg_read(&count, sizeof(count));
	for (uint32_t i = 0; i < be32(count); i++) {
		struct fw_cfg_file f;

		fw_cfg_read(&f, sizeof(f));
		if (strncmp(f.name, name, sizeof(f.name)) == 0) {
			uint32_t len = be32(f.size);

			outw(FW_CFG_PORT_SEL, __builtin_bswap16(f.select));
			fw_cfg_read(buf, len < size ? len : size);
			return len;
		}
	}
	return -1;
}
