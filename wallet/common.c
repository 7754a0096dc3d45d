/* leerpas-wallet: what every command shares: options, the wallet path,
 * opening and saving the wallet with messages that say what to do, and
 * readable rendering of claims. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "leerpas/claims.h"
#include "wallet_cli.h"

void wl_ctx_init(struct wl_ctx *c, const char *cmd, char **argv)
{
	memset(c, 0, sizeof *c);
	c->cmd = cmd;
	c->argv = argv;
	c->pass.file = NULL;
	c->pass.fd = -1;
	optind = 1;
	opterr = 0;
}

void wl_ctx_free(struct wl_ctx *c)
{
	free(c->path_buf);
	c->path_buf = NULL;
}

int wl_common_opt(struct wl_ctx *c, int opt, const char *arg)
{
	switch (opt) {
	case WL_OPT_WALLET:
		if (!arg || !*arg)
			return cli_usage_error(c->cmd, "--wallet needs a file name");
		c->wallet = arg;
		return 0;
	case WL_OPT_PASS_FILE:
		c->pass.file = arg;
		return 0;
	case WL_OPT_PASS_FD:
		if (!cli_parse_fd(arg, &c->pass.fd))
			return cli_usage_error(c->cmd, "--passphrase-fd needs a file descriptor number, not '%s'",
					       arg);
		return 0;
	case WL_OPT_JSON:
		c->json = true;
		return 0;
	case '?':
		if (optopt && optopt < 256)
			return cli_usage_error(c->cmd, "unknown option '-%c'", optopt);
		return cli_usage_error(c->cmd, "unknown option '%s'",
				       optind > 0 && c->argv ? c->argv[optind - 1] : "?");
	case ':':
		return cli_usage_error(c->cmd, "option '%s' needs a value",
				       optind > 0 && c->argv ? c->argv[optind - 1] : "?");
	default:
		return -1;
	}
}

int wl_help(const char *text, bool ok)
{
	fputs(text, ok ? stdout : stderr);
	return ok ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

const char *wl_path(struct wl_ctx *c)
{
	if (c->wallet)
		return c->wallet;
	if (c->path_buf)
		return c->path_buf;
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	const char *base, *sub;
	if (xdg && xdg[0] == '/') {
		base = xdg;
		sub = "/leerpas/wallet.lpw";
	} else if (home && *home) {
		base = home;
		sub = "/.local/share/leerpas/wallet.lpw";
	} else {
		cli_error("give the wallet file with --wallet FILE",
			  "neither XDG_DATA_HOME nor HOME is set, so there is no default wallet path");
		return NULL;
	}
	size_t n = strlen(base) + strlen(sub) + 1;
	c->path_buf = malloc(n);
	if (!c->path_buf) {
		cli_error(NULL, "out of memory");
		return NULL;
	}
	snprintf(c->path_buf, n, "%s%s", base, sub);
	return c->path_buf;
}

int wl_open_failed(lp_err e, const lp_diag *d, const char *path)
{
	const char *msg = d && d->msg[0] ? d->msg : lp_err_str(e);
	char prev[4096];
	int n = snprintf(prev, sizeof prev, "%s.prev", path);
	bool has_prev = n > 0 && (size_t)n < sizeof prev && access(prev, R_OK) == 0;
	switch (e) {
	case LP_ERR_NOT_FOUND:
		cli_error("create one with 'leerpas-wallet init', or name yours with --wallet FILE",
			  "no wallet at %s", path);
		break;
	case LP_ERR_PASSPHRASE:
		cli_error("try again; if the passphrase is lost, run 'leerpas-wallet recover "
			  "--recovery-key' with the recovery key you wrote down",
			  "%s: %s", path, msg);
		break;
	case LP_ERR_VERSION:
		cli_error("install a newer leerpas; the file was not changed", "%s: %s", path, msg);
		break;
	case LP_ERR_INTEGRITY:
	case LP_ERR_MALFORMED:
		if (has_prev)
			cli_error("the previous version is kept as the .prev file; check that it opens "
				  "and put it back with 'leerpas-wallet restore --wallet PATH PATH.prev', "
				  "or restore a backup",
				  "%s cannot be opened (%s); %s exists", path, msg, prev);
		else
			cli_error("restore a backup with 'leerpas-wallet restore FILE'",
				  "%s cannot be opened: %s", path, msg);
		break;
	case LP_ERR_LOCKED:
		cli_error("wait until the other leerpas-wallet is done, then try again",
			  "%s", msg);
		break;
	case LP_ERR_NOMEM:
		cli_error("close other programs, or use a machine with more memory",
			  "%s: %s", path, msg);
		break;
	default:
		cli_error("check the file and its permissions", "cannot open the wallet %s: %s", path,
			  msg);
	}
	return cli_exit_code(e);
}

int wl_open(struct wl_ctx *c, lp_wallet **w)
{
	*w = NULL;
	const char *path = wl_path(c);
	if (!path)
		return CLI_EXIT_ERROR;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return wl_open_failed(LP_ERR_NOT_FOUND, NULL, path);
	cli_secret pass = { NULL, 0 };
	lp_err e = cli_passphrase_get(&c->pass, "Wallet passphrase: ", &pass);
	if (e != LP_OK)
		return cli_exit_code(e);
	lp_diag d;
	memset(&d, 0, sizeof d);
	e = lp_wallet_open(path, cli_secret_view(&pass), w, &d);
	cli_secret_free(&pass);
	if (e != LP_OK)
		return wl_open_failed(e, &d, path);
	return 0;
}

int wl_save(lp_wallet *w)
{
	lp_err e = lp_wallet_save(w);
	if (e == LP_OK)
		return 0;
	return cli_fail(e, "free some disk space or check the directory's permissions; the wallet "
			   "on disk is unchanged",
			"cannot save the wallet %s", lp_wallet_path(w));
}

int64_t wl_now(void)
{
	return (int64_t)time(NULL);
}

bool wl_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || s[0] == '-' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

void wl_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

const lp_wallet_cred *wl_find_cred(const lp_wallet *w, const char *id)
{
	const lp_wallet_cred *c = lp_wallet_cred_find(w, id);
	if (c)
		return c;
	const lp_wallet_cred *hit = NULL;
	size_t n = strlen(id), hits = 0;
	for (size_t i = 0; n && i < lp_wallet_cred_count(w); i++) {
		const lp_wallet_cred *x = lp_wallet_cred_at(w, i);
		if (strncmp(x->id, id, n) == 0) {
			hit = x;
			hits++;
		}
	}
	if (hits == 1)
		return hit;
	if (hits > 1)
		cli_error("type more of the id; 'leerpas-wallet list' shows them",
			  "'%s' matches %zu credentials", id, hits);
	else
		cli_error("'leerpas-wallet list' shows the ids of your credentials",
			  "no credential '%s' in this wallet", id);
	return NULL;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if (!*buf)
		return;
	if (*len + n + 1 > *cap) {
		size_t nc = (*len + n + 1) * 2;
		char *p = realloc(*buf, nc);
		if (!p) {
			free(*buf);
			*buf = NULL;
			return;
		}
		*buf = p;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

static void value_text(json_t *v, char **buf, size_t *len, size_t *cap)
{
	char num[64];
	if (json_is_string(v)) {
		append(buf, len, cap, json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		append(buf, len, cap, num);
	} else if (json_is_real(v)) {
		snprintf(num, sizeof num, "%g", json_real_value(v));
		append(buf, len, cap, num);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			if (i)
				append(buf, len, cap, "; ");
			value_text(x, buf, len, cap);
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;
		bool first = true;
		json_object_foreach(v, k, x)
		{
			if (!first)
				append(buf, len, cap, ", ");
			first = false;
			append(buf, len, cap, k);
			append(buf, len, cap, " ");
			value_text(x, buf, len, cap);
		}
	} else if (json_is_true(v)) {
		append(buf, len, cap, "yes");
	} else if (json_is_false(v)) {
		append(buf, len, cap, "no");
	}
}

char *wl_json_value_text(const char *json)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	size_t len = 0, cap = 64;
	char *buf = malloc(cap);
	if (buf)
		buf[0] = '\0';
	if (v)
		value_text(v, &buf, &len, &cap);
	json_decref(v);
	return buf;
}

const char *wl_claim_label(const char *name)
{
	const lp_claim_def *def = lp_claims_by_name(name);
	return def ? def->label : name;
}

void wl_print_claims(FILE *f, const char *json_obj, const char *indent)
{
	json_t *o = json_loads(json_obj, 0, NULL);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return;
	}
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		char *s = json_dumps(v, JSON_ENCODE_ANY);
		char *t = s ? wl_json_value_text(s) : NULL;
		fprintf(f, "%s%s: %s\n", indent, wl_claim_label(k), t ? t : "?");
		free(t);
		free(s);
	}
	json_decref(o);
}

/* Make the directories above path (mode 0700), like mkdir -p. */
int wl_make_parent(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return -1;
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			free(dir);
			return -1;
		}
		*p = '/';
	}
	int r = mkdir(dir, 0700) != 0 && errno != EEXIST ? -1 : 0;
	free(dir);
	return r;
}

