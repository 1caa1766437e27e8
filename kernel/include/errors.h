/* Kernel error codes. Functions return 0 or a positive count on success and a negative
 * E_* code on failure; error_name() turns one into words for messages. */
#ifndef ERRORS_H
#define ERRORS_H

enum {
	E_OK = 0,
	E_INVAL = 1,	/* invalid argument */
	E_NOENT = 2,	/* no such entry */
	E_NOSPC = 3,	/* no room left */
	E_RANGE = 4,	/* value out of range */
	E_NODEV = 5,	/* no such device */
	E_BADFMT = 6,	/* malformed input data */
	E_NOTSUP = 7,	/* not supported */
	E_TIMEDOUT = 8, /* the wait timed out */
	E_DEADLK = 9,	/* would deadlock (a lock the caller holds, a cycle) */
	E_PERM = 10,	/* not allowed (a mutex the caller does not own) */
	E_BUSY = 11,	/* busy (a trylock that would block, a range already mapped) */
	E_NOMEM = 12,	/* out of memory */
};

const char *error_name(int err);

#endif
