/* Error messages and exit codes shared by the programs: every error line
 * says what went wrong and what to do, on stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *progname = "leerpas";

void cli_set_progname(const char *name)
{
	if (name && *name)
		progname = name;
}

const char *cli_progname(void)
{
	return progname;
}

int cli_exit_code(lp_err e)
{
	if (e == LP_OK)
		return CLI_EXIT_OK;
	return lp_err_is_verification(e) ? CLI_EXIT_FAIL : CLI_EXIT_ERROR;
}

static void vreport(const char *label, const char *what_fmt, va_list ap, const char *reason,
		    const char *todo)
{
	fprintf(stderr, "%s: ", label);
	vfprintf(stderr, what_fmt, ap);
	if (reason)
		fprintf(stderr, ": %s", reason);
	if (todo && *todo)
		fprintf(stderr, " \xe2\x80\x94 %s", todo);
	fputc('\n', stderr);
	fflush(stderr);
}

void cli_error(const char *todo, const char *what_fmt, ...)
{
	va_list ap;
	va_start(ap, what_fmt);
	vreport("error", what_fmt, ap, NULL, todo);
	va_end(ap);
}

int cli_fail(lp_err e, const char *todo, const char *what_fmt, ...)
{
	va_list ap;
	va_start(ap, what_fmt);
	vreport("error", what_fmt, ap, lp_err_str(e), todo);
	va_end(ap);
	return e == LP_OK ? CLI_EXIT_ERROR : cli_exit_code(e);
}

int cli_usage_error(const char *cmd, const char *what_fmt, ...)
{
	char todo[160];
	va_list ap;
	int n;

	if (cmd && *cmd)
		n = snprintf(todo, sizeof todo, "see '%s %s --help'", progname, cmd);
	else
		n = snprintf(todo, sizeof todo, "see '%s --help'", progname);
	if (n < 0 || (size_t)n >= sizeof todo)
		strcpy(todo, "see --help");
	va_start(ap, what_fmt);
	vreport("error", what_fmt, ap, NULL, todo);
	va_end(ap);
	return CLI_EXIT_ERROR;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning", fmt, ap, NULL, NULL);
	va_end(ap);
}

bool cli_is_help(const char *arg)
{
	return arg && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0);
}
