/* Kernel command line: words separated by spaces, each `key` or `key=value`. */
#include <string.h>

#include "kernel.h"

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (p && *p) {
		const char *end;

		while (*p == ' ')
			p++;
		end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) >= klen && strncmp(p, key, klen) == 0 &&
		    (p[klen] == '=' || p + klen == end)) {
			const char *val = p[klen] == '=' ? p + klen + 1 : end;
			size_t n = (size_t)(end - val);

			if (size) {
				if (n >= size)
					n = size - 1;
				memcpy(buf, val, n);
				buf[n] = '\0';
			}
			return true;
		}
		p = end;
	}
	return false;
}
