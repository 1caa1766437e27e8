/* The serial console shell: reads lines, runs commands. */
#ifndef SHELL_H
#define SHELL_H

#include "compiler.h"

struct shell_command {
	const char *name;
	const char *args; /* usage of the arguments, "" if none */
	const char *help;
	int (*run)(int argc, char **argv); /* 0 or a negative E_* code */
};

/* Split line in place into at most max words; returns the count. */
int shell_split(char *line, char **argv, int max);

/* Run one command line; returns the command's result or -E_NOENT. */
int shell_execute(char *line);

/* The `bench` command (kernel/bench.c): what allocation, switches and IPIs cost. */
int cmd_bench(int argc, char **argv);

/* Prompt, read, run, forever. */
__noreturn void shell_run(void);

#endif
