/* Minimal libc: number parsing (C11 7.22.1 subset). */
#ifndef _STDLIB_H
#define _STDLIB_H

#include <stddef.h>

long strtol(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);

#endif
