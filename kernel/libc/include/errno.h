/* Minimal libc: errno (C11 7.5). One global: the kernel has no threads that call libc
 * concurrently yet. */
#ifndef _ERRNO_H
#define _ERRNO_H

extern int errno;

#define EINVAL 22
#define ERANGE 34

#endif
