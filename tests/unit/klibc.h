/*
 * The kernel's minimal libc (kernel/libc/), as the host tests see it: compiled with
 * klibc_names.h, each function carries a k_ prefix and sits next to glibc's. These are
 * the prototypes of kernel/libc/include with that prefix. klibc_check.c, compiled like
 * the libc itself, includes both, so a prototype here that drifts from the kernel's
 * breaks the build. Only compiler-provided headers below: this file is read in both
 * worlds.
 */
#ifndef KLIBC_H
#define KLIBC_H

#include <stdarg.h>
#include <stddef.h>

__attribute__((format(printf, 3, 4))) int k_snprintf(char *restrict buf, size_t size,
						     const char *restrict fmt, ...);
__attribute__((format(printf, 3, 0))) int k_vsnprintf(char *restrict buf, size_t size,
						      const char *restrict fmt, va_list ap);

long k_strtol(const char *restrict s, char **restrict end, int base);
unsigned long k_strtoul(const char *restrict s, char **restrict end, int base);
long long k_strtoll(const char *restrict s, char **restrict end, int base);
unsigned long long k_strtoull(const char *restrict s, char **restrict end, int base);
extern int k_errno;

void *k_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *k_memmove(void *dst, const void *src, size_t n);
void *k_memset(void *dst, int c, size_t n);
int k_memcmp(const void *a, const void *b, size_t n);
void *k_memchr(const void *s, int c, size_t n);
size_t k_strlen(const char *s);
size_t k_strnlen(const char *s, size_t max);
int k_strcmp(const char *a, const char *b);
int k_strncmp(const char *a, const char *b, size_t n);
char *k_strchr(const char *s, int c);
char *k_strrchr(const char *s, int c);
char *k_strcpy(char *restrict dst, const char *restrict src);
char *k_strncpy(char *restrict dst, const char *restrict src, size_t n);
size_t k_strspn(const char *s, const char *accept);
size_t k_strcspn(const char *s, const char *reject);
char *k_strstr(const char *haystack, const char *needle);

#endif
