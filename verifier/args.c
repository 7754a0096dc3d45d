/* Option parsing shared by the verifier's commands: "--name value",
 * "--name=value", flags, repeatable options, and positional arguments in
 * any order; "-" alone is a positional (standard input). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vf.h"

int vf_parse(int argc, char **argv, const vf_opt *opts, const char **pos, size_t maxpos,
	     size_t *np, const char *cmd, bool *help)
{
	*np = 0;
	*help = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (cli_is_help(a)) {
			*help = true;
			return CLI_EXIT_OK;
		}
		if (a[0] != '-' || strcmp(a, "-") == 0) {
			if (*np == maxpos)
				return cli_usage_error(cmd, "unexpected argument '%s'", a);
			pos[(*np)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++) {
				if (*np == maxpos)
					return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
				pos[(*np)++] = argv[i];
			}
			break;
		}
		const vf_opt *o = NULL;
		const char *eq = strchr(a, '=');
		size_t nl = eq ? (size_t)(eq - a) : strlen(a);
		for (const vf_opt *p = opts; p->name; p++)
			if (strlen(p->name) == nl && strncmp(p->name, a, nl) == 0)
				o = p;
		if (!o)
			return cli_usage_error(cmd, "unknown option '%s'", a);
		if (!o->has_arg) {
			if (eq)
				return cli_usage_error(cmd, "option '%.*s' takes no value", (int)nl, a);
			*o->flag = true;
			continue;
		}
		const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!v)
			return cli_usage_error(cmd, "option '%s' needs a value", a);
		if (o->multi) {
			if (*o->nmulti == o->maxmulti)
				return cli_usage_error(cmd, "option '%s' given too often", o->name);
			o->multi[(*o->nmulti)++] = v;
		} else {
			*o->value = v;
		}
	}
	return CLI_EXIT_OK;
}
