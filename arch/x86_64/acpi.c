/* Finding ACPI's Root System Description Pointer the legacy way (ACPI 6.5, 5.2.5.1):
 * on a 16-byte boundary in the BIOS read-only area 0xE0000-0xFFFFF, signature
 * "RSD PTR ", with its first 20 bytes summing to 0. For boot paths that do not hand the
 * address over (U-Boot's bootelf); PVH does. */
#include <stdint.h>
#include <string.h>

#include "x86.h"

#define BIOS_AREA_START	0xe0000
#define BIOS_AREA_END	0x100000
#define RSDP_V1_LENGTH	20

uint64_t acpi_find_rsdp(void)
{
	for (uintptr_t p = BIOS_AREA_START; p < BIOS_AREA_END; p += 16) {
		const uint8_t *r = (const uint8_t *)p;
		uint8_t sum = 0;

		if (memcmp(r, "RSD PTR ", 8) != 0)
			continue;
		for (int i = 0; i < RSDP_V1_LENGTH; i++)
			sum += r[i];
		if (sum == 0)
			return p;
	}
	return 0;
}
