/* Names of the kernel's E_* error codes, for messages. */
#include "compiler.h"
#include "errors.h"

const char *error_name(int err)
{
	static const char *const names[] = {
		[E_OK] = "success",
		[E_INVAL] = "invalid argument",
		[E_NOENT] = "no such entry",
		[E_NOSPC] = "no space left",
		[E_RANGE] = "out of range",
		[E_NODEV] = "no such device",
		[E_BADFMT] = "malformed data",
		[E_NOTSUP] = "not supported",
		[E_TIMEDOUT] = "timed out",
		[E_DEADLK] = "would deadlock",
		[E_PERM] = "not permitted",
		[E_BUSY] = "busy",
		[E_NOMEM] = "out of memory",
	};

	unsigned int e = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	if (e >= ARRAY_SIZE(names) || !names[e])
		return "unknown error";
	return names[e];
}
