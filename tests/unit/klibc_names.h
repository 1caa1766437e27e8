/*
 * Force-included (-include) when tests/host/test_unit.py compiles the files of kernel/libc/ for
 * the host: every symbol of the kernel's minimal libc gets a k_ prefix, so the kernel's
 * snprintf and glibc's can be called side by side from one test program. Those objects
 * see only kernel/libc/include; the tests declare the k_ functions in klibc.h.
 */
#define snprintf  k_snprintf
#define vsnprintf k_vsnprintf
#define strtol	  k_strtol
#define strtoul	  k_strtoul
#define strtoll	  k_strtoll
#define strtoull  k_strtoull
#define errno	  k_errno
#define memcpy	  k_memcpy
#define memmove	  k_memmove
#define memset	  k_memset
#define memcmp	  k_memcmp
#define memchr	  k_memchr
#define strlen	  k_strlen
#define strnlen	  k_strnlen
#define strcmp	  k_strcmp
#define strncmp	  k_strncmp
#define strchr	  k_strchr
#define strrchr	  k_strrchr
#define strcpy	  k_strcpy
#define strncpy	  k_strncpy
#define strspn	  k_strspn
#define strcspn	  k_strcspn
#define strstr	  k_strstr
