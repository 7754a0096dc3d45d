/* The verifier's store directory: trust anchors, lists and pinned schools,
 * cached status lists, open challenges and the verifier's own audience.
 * Layout (docs/verifier.md): anchors/ lists/ pins/ status/ challenges/ and
 * config.json, one file per anchor, list, school, status list, challenge. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "leerpas/fileio.h"
#include "vf.h"

static const char *const subdirs[] = { "anchors", "lists", "pins", "status", "challenges", "specs" };
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

uint64_t vf_fnv64(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 1099511628211ull;
	}
	return h;
}

void vf_id_filename(const char *id, const char *ext, char out[96])
{
	char part[48];
	size_t j = 0;
	const char *p = strstr(id, "://");
	for (p = p ? p + 3 : id; *p && j < sizeof part - 1; p++)
		part[j++] = (isalnum((unsigned char)*p) || *p == '.' || *p == '-') ? *p : '_';
	part[j] = '\0';
	(void)snprintf(out, 96, "%s-%016llx%s", part, (unsigned long long)vf_fnv64(id), ext);
}

bool vf_path(const vf_store *st, const char *sub, const char *name, char out[VF_PATH_MAX])
{
	int n = sub ? snprintf(out, VF_PATH_MAX, "%s/%s/%s", st->dir, sub, name)
		    : snprintf(out, VF_PATH_MAX, "%s/%s", st->dir, name);
	return n > 0 && n < VF_PATH_MAX;
}

/* mkdir -p with mode 0700 for the parts we create. */
static bool mkdirs(const char *path)
{
	char tmp[VF_PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return false;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return false;
		*p = '/';
	}
	return mkdir(tmp, 0700) == 0 || errno == EEXIST;
}

int vf_store_open(const char *opt_dir, bool create, vf_store *st)
{
	memset(st, 0, sizeof *st);
	int n;
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	if (opt_dir && *opt_dir)
		n = snprintf(st->dir, sizeof st->dir, "%s", opt_dir);
	else if (xdg && xdg[0] == '/')
		n = snprintf(st->dir, sizeof st->dir, "%s/leerpas/verifier", xdg);
	else if (home && home[0] == '/')
		n = snprintf(st->dir, sizeof st->dir, "%s/.local/share/leerpas/verifier", home);
	else {
		cli_error("give one with --store DIR", "no store directory: neither XDG_DATA_HOME nor HOME is set");
		return CLI_EXIT_ERROR;
	}
	if (n <= 0 || n >= (int)sizeof st->dir - 128) {
		cli_error("use a shorter path with --store DIR", "store directory path too long");
		return CLI_EXIT_ERROR;
	}
	if (!create)
		return CLI_EXIT_OK;
	for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		char p[VF_PATH_MAX];
		if (!vf_path(st, NULL, subdirs[i], p) || !mkdirs(p)) {
			cli_error("check the permissions, or choose another directory with --store DIR",
				  "cannot create the store directory '%s/%s': %s", st->dir, subdirs[i],
				  strerror(errno));
			return CLI_EXIT_ERROR;
		}
	}
	return CLI_EXIT_OK;
}

/* Names of regular files in dir/sub ending in ext, sorted; NULL-terminated
 * array, malloc'd (free each and the array). */
static char **list_files(const vf_store *st, const char *sub, const char *ext)
{
	char p[VF_PATH_MAX];
	if (!vf_path(st, NULL, sub, p))
		return NULL;
	DIR *dir = opendir(p);
	size_t n = 0, cap = 8;
	char **v = calloc(cap + 1, sizeof *v);
	if (!v) {
		if (dir)
			closedir(dir);
		return NULL;
	}
	if (!dir)
		return v;
	struct dirent *e;
	size_t el = strlen(ext);
	while ((e = readdir(dir)) != NULL) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l <= el || strcmp(e->d_name + l - el, ext) != 0)
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap * 2 + 1) * sizeof *v);
			if (!nv)
				break;
			v = nv;
			cap *= 2;
		}
		v[n] = strdup(e->d_name);
		if (v[n])
			n++;
		v[n] = NULL;
	}
	closedir(dir);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

static void free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

lp_trust_store *vf_trust_load(const vf_store *st, bool quiet)
{
	lp_trust_store *ts = NULL;
	if (lp_trust_store_new(&ts) != LP_OK) {
		cli_error(NULL, "out of memory");
		return NULL;
	}
	static const struct {
		const char *sub, *ext, *what;
		size_t max;
	} kinds[] = {
		{ "anchors", ".json", "trust anchor", 64 * 1024 },
		{ "lists", ".cose", "trust list", LP_TRUST_MAX_LIST },
		{ "pins", ".json", "pinned school", LP_TRUST_MAX_DESC },
	};
	for (size_t k = 0; k < 3; k++) {
		char **files = list_files(st, kinds[k].sub, kinds[k].ext);
		for (size_t i = 0; files && files[i]; i++) {
			char p[VF_PATH_MAX];
			lp_buf b = { 0 };
			if (!vf_path(st, kinds[k].sub, files[i], p) ||
			    lp_file_read(p, kinds[k].max, &b) != LP_OK) {
				if (!quiet)
					cli_warn("cannot read %s file %s; it is ignored", kinds[k].what, p);
				continue;
			}
			lp_diag d = { 0 };
			lp_err rc = k == 0   ? lp_trust_add_anchor(ts, lp_buf_view(&b), &d)
				    : k == 1 ? lp_trust_add_list(ts, lp_buf_view(&b), &d)
					     : lp_trust_pin(ts, lp_buf_view(&b), &d);
			if (rc && !quiet)
				cli_warn("%s %s is ignored: %s", kinds[k].what, p,
					 d.msg[0] ? d.msg : lp_err_str(rc));
			lp_buf_free(&b);
		}
		free_list(files);
	}
	return ts;
}

int vf_audience(const vf_store *st, char out[256])
{
	char p[VF_PATH_MAX];
	out[0] = '\0';
	if (!vf_path(st, NULL, "config.json", p))
		return CLI_EXIT_ERROR;
	lp_buf b = { 0 };
	if (lp_file_read(p, 64 * 1024, &b) == LP_OK) {
		json_t *j = json_loadb((const char *)b.ptr, b.len, 0, NULL);
		lp_buf_free(&b);
		const char *a = json_string_value(json_object_get(j, "audience"));
		if (a && *a && strlen(a) < 256) {
			(void)snprintf(out, 256, "%s", a);
			json_decref(j);
			return CLI_EXIT_OK;
		}
		json_decref(j);
		cli_error("fix or remove it; a new audience is then made",
			  "store configuration %s has no valid \"audience\"", p);
		return CLI_EXIT_ERROR;
	}
	uint8_t r[8];
	lp_random(r, sizeof r);
	char id[9];
	for (int i = 0; i < 8; i++)
		id[i] = crockford[r[i] & 31];
	id[8] = '\0';
	(void)snprintf(out, 256, "leerpas-verifier:%s", id);
	json_t *j = json_pack("{s:s}", "audience", out);
	char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	json_decref(j);
	if (!s)
		return CLI_EXIT_ERROR;
	lp_err rc = cli_write_file(p, lp_view_of((const uint8_t *)s, strlen(s)), 0600, false,
				   "store configuration");
	free(s);
	return rc ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

bool vf_code_normalise(const char *in, char out[VF_CODE_LEN + 1])
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		char c = (char)toupper((unsigned char)*p);
		if (c == '-' || c == ' ')
			continue;
		if (c == 'O')
			c = '0';
		if (c == 'I' || c == 'L')
			c = '1';
		if (!strchr(crockford, c) || c == '\0' || n == VF_CODE_LEN)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == VF_CODE_LEN;
}

void vf_code_display(const char *code, char out[VF_CODE_LEN + 4])
{
	size_t j = 0;
	for (size_t i = 0; code[i] && i < VF_CODE_LEN; i++) {
		if (i && i % 4 == 0)
			out[j++] = '-';
		out[j++] = code[i];
	}
	out[j] = '\0';
}

int vf_challenge_new(const vf_store *st, const char *audience, int64_t now, int64_t ttl,
		     vf_challenge *out)
{
	memset(out, 0, sizeof *out);
	uint8_t r[VF_CODE_LEN];
	lp_random(r, sizeof r);
	for (int i = 0; i < VF_CODE_LEN; i++)
		out->code[i] = crockford[r[i] & 31];  /* 256 / 32: uniform */
	(void)snprintf(out->audience, sizeof out->audience, "%s", audience);
	out->created = now;
	out->expires = now + ttl;
	char name[32], p[VF_PATH_MAX];
	(void)snprintf(name, sizeof name, "%s.json", out->code);
	if (!vf_path(st, "challenges", name, p))
		return CLI_EXIT_ERROR;
	json_t *j = json_pack("{s:s,s:s,s:I,s:I}", "code", out->code, "audience", out->audience,
			      "created", (json_int_t)out->created, "expires", (json_int_t)out->expires);
	char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	json_decref(j);
	if (!s)
		return CLI_EXIT_ERROR;
	lp_err rc = cli_write_file(p, lp_view_of((const uint8_t *)s, strlen(s)), 0600, true,
				   "challenge");
	free(s);
	return rc ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

static bool challenge_read(const char *path, vf_challenge *out)
{
	memset(out, 0, sizeof *out);
	lp_buf b = { 0 };
	if (lp_file_read(path, 16 * 1024, &b) != LP_OK)
		return false;
	json_t *j = json_loadb((const char *)b.ptr, b.len, 0, NULL);
	lp_buf_free(&b);
	const char *code = json_string_value(json_object_get(j, "code"));
	const char *aud = json_string_value(json_object_get(j, "audience"));
	json_t *c = json_object_get(j, "created"), *e = json_object_get(j, "expires");
	bool ok = code && aud && json_is_integer(c) && json_is_integer(e) &&
		  strlen(code) == VF_CODE_LEN && strlen(aud) < sizeof out->audience;
	if (ok) {
		memcpy(out->code, code, VF_CODE_LEN + 1);
		(void)snprintf(out->audience, sizeof out->audience, "%s", aud);
		out->created = (int64_t)json_integer_value(c);
		out->expires = (int64_t)json_integer_value(e);
	}
	json_decref(j);
	return ok;
}

int vf_challenge_get(const vf_store *st, const char *code, int64_t now, vf_challenge *out)
{
	char name[32], p[VF_PATH_MAX];
	(void)snprintf(name, sizeof name, "%.12s.json", code);
	if (!vf_path(st, "challenges", name, p) || !challenge_read(p, out) ||
	    strcmp(out->code, code) != 0)
		return 1;
	return now >= out->expires ? 2 : 0;
}

vf_challenge *vf_challenge_open_list(const vf_store *st, int64_t now, size_t *n)
{
	*n = 0;
	char **files = list_files(st, "challenges", ".json");
	size_t cnt = 0;
	for (size_t i = 0; files && files[i]; i++)
		cnt++;
	vf_challenge *v = calloc(cnt ? cnt : 1, sizeof *v);
	for (size_t i = 0; v && files && files[i]; i++) {
		char p[VF_PATH_MAX];
		if (!vf_path(st, "challenges", files[i], p) || !challenge_read(p, &v[*n]))
			continue;
		if (now >= v[*n].expires) {
			(void)unlink(p); /* expired: forget it */
			continue;
		}
		(*n)++;
	}
	free_list(files);
	return v;
}

void vf_challenge_use(const vf_store *st, const char *code)
{
	char name[32], p[VF_PATH_MAX];
	(void)snprintf(name, sizeof name, "%.12s.json", code);
	if (vf_path(st, "challenges", name, p))
		(void)unlink(p);
}

lp_err vf_read_input(const char *path, size_t max, const char *what, lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (strcmp(path, "-") != 0)
		return cli_read_file(path, max, what, out);
	size_t cap = 4096, n = 0;
	uint8_t *b = malloc(cap + 1);
	if (!b)
		return LP_ERR_NOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(b);
				cli_error("give a smaller input", "%s on standard input is larger than %zu bytes",
					  what, max);
				return LP_ERR_TOO_LARGE;
			}
			uint8_t *nb = realloc(b, cap * 2 + 1);
			if (!nb) {
				free(b);
				return LP_ERR_NOMEM;
			}
			b = nb;
			cap *= 2;
		}
		size_t got = fread(b + n, 1, cap - n, stdin);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(stdin) || n > max) {
		free(b);
		cli_error("give the input as an argument or a file instead",
			  "cannot read %s from standard input", what);
		return n > max ? LP_ERR_TOO_LARGE : LP_ERR_IO;
	}
	b[n] = '\0';
	out->ptr = b;
	out->len = n;
	return LP_OK;
}

bool vf_looks_prefixed(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	size_t start = i;
	while (i < len && i - start < 9 && isalnum((unsigned char)s[i]))
		i++;
	return i > start && i < len && s[i] == ':' && isdigit((unsigned char)s[i - 1]);
}
