/*
 * printk: kernel messages with a log level. Every message goes into the ring buffer;
 * messages more important than the console log level also go to the console.
 * A level is given as a prefix string, as in Linux: printk(KERN_ERR "x failed\n").
 */
#ifndef PRINTK_H
#define PRINTK_H

#include <stdarg.h>
#include "compiler.h"
#include "logbuf.h"

#define KERN_SOH	 "\001"
#define KERN_EMERG	 KERN_SOH "0"
#define KERN_ALERT	 KERN_SOH "1"
#define KERN_CRIT	 KERN_SOH "2"
#define KERN_ERR	 KERN_SOH "3"
#define KERN_WARNING	 KERN_SOH "4"
#define KERN_NOTICE	 KERN_SOH "5"
#define KERN_INFO	 KERN_SOH "6"
#define KERN_DEBUG	 KERN_SOH "7"
#define LOGLEVEL_DEFAULT 6 /* level of a message without a prefix */

__printf(1, 2) int printk(const char *fmt, ...);
int vprintk(const char *fmt, va_list ap);

#define pr_emerg(...)  printk(KERN_EMERG __VA_ARGS__)
#define pr_err(...)    printk(KERN_ERR __VA_ARGS__)
#define pr_warn(...)   printk(KERN_WARNING __VA_ARGS__)
#define pr_notice(...) printk(KERN_NOTICE __VA_ARGS__)
#define pr_info(...)   printk(KERN_INFO __VA_ARGS__)
#define pr_debug(...)  printk(KERN_DEBUG __VA_ARGS__)

/* Messages with level < console_loglevel reach the console. */
extern int console_loglevel;

/* The kernel's log, for the `log` command and for debuggers. */
extern struct logbuf printk_log;

#endif
