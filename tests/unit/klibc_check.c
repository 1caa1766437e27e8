/*
 * Compiled like the files of kernel/libc/ (the kernel's libc headers only, klibc_names.h forced
 * in): its headers declare k_snprintf etc., then klibc.h declares them again, and any
 * prototype of klibc.h that disagrees is a "conflicting types" error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klibc.h"
