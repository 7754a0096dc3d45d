/* leerpas-issuer issue-batch: graduation day. One credential per CSV row,
 * one file per learner. A bad row is reported (line, column, why), issues
 * nothing and does not stop the others; rows already in the register (same
 * template and learner) are skipped, so a rerun never duplicates.
 *
 * Speed: the signing key is decrypted once; a pool of worker threads
 * converts, signs and writes the rows of one chunk while the main thread
 * reads the next; each chunk is one register transaction with prepared
 * statements. Safety: a chunk's files are written as NAME.tmp, synced once
 * (syncfs), the chunk commits, and only then are the files renamed into
 * place; so a file under its final name always belongs to a registered
 * credential. After a crash, uncommitted rows are issued again by a rerun
 * (their .tmp files overwritten), and committed rows whose rename did not
 * happen get it on the rerun. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "issuer.h"
#include "leerpas/claims.h"
#include "leerpas/csv.h"

static const char help[] =
	"Usage: leerpas-issuer issue-batch --dir DIR --template NAME --csv LEARNERS.csv\n"
	"                                  --out-dir D [options]\n"
	"\n"
	"Issue one credential per learner from a CSV file (RFC 4180, UTF-8, first\n"
	"row: claim names such as studentId,fullName,dateOfBirth,grade). studentId\n"
	"is required: it is the learner's reference in the register and names the\n"
	"file D/<studentId>.cred. Empty cells leave a claim out; lists are\n"
	"separated by ';'.\n"
	"\n"
	"Rows that fail are listed with line and column and issue nothing; the\n"
	"other rows are issued. Rows already issued with this template are\n"
	"skipped, so running the same CSV again is safe. Batch credentials are\n"
	"unbound (no holder key): see docs/issuer.md.\n"
	"\n"
	"  --template NAME       a template of this store\n"
	"  --csv FILE            the learners\n"
	"  --out-dir D           where the credential files go (created 0700)\n"
	"  --threads N           signing threads (default: number of processors)\n"
	"  --chunk N             rows per register transaction (default 2000)\n"
	"  --passphrase-file F, --passphrase-fd N   the signing key's passphrase\n"
	"  --json                print the report as JSON\n"
	"\n"
	"Exit status: 0 every row issued or already issued; 1 some rows failed\n"
	"(listed); 2 nothing could be done (bad options, unreadable CSV, disk).\n";

enum { OPT_TEMPLATE = OPT_FIRST_OWN, OPT_CSV, OPT_OUT_DIR, OPT_THREADS, OPT_CHUNK };

#define MAX_COLS LP_CSV_MAX_FIELDS

struct column {
	const lp_claim_def *def;
	const char *name;
};

/* One row on its way through a chunk. The main thread fills line, ref,
 * batch_key, fname and cells; a worker converts, signs and writes. */
struct job {
	size_t line;
	char ref[LP_REG_REF_MAX + 1];
	char batch_key[LP_REG_KEY_MAX + 1];
	char fname[LP_REG_REF_MAX + 24];
	char *cells;                  /* the row's fields, NUL-separated (owned) */
	size_t cell_len[MAX_COLS];
	size_t cell_line[MAX_COLS];
	uint64_t idx;
	lp_buf cred;
	char cti[LP_REG_CTI_MAX + 1];
	lp_err err;
	size_t err_col;               /* 1-based column of the problem, 0 unknown */
	char msg[240];
	bool written;                 /* the file is in place (not yet synced) */
	int write_errno;
};

struct failure {
	size_t line, column;
	char field[64];
	char msg[240];
};

struct report {
	size_t issued, skipped, rows;
	struct failure *fail;
	size_t nfail, capfail;
	json_t *issued_list;
};

/* What workers share (read-only while a chunk is in flight). */
struct batch {
	issue_ctx x;
	const char *out_dir;
	const char *tname;
	const struct column *cols;
	size_t ncols;
	const char *tclaims;          /* the template's claims, compact JSON */
	size_t tprefix_len;           /* ... without the closing brace */
	bool tprefix_members;
};

static void add_failure(struct report *r, size_t line, size_t column, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add_failure(struct report *r, size_t line, size_t column, const char *field, const char *fmt, ...)
{
	struct failure *f;
	va_list ap;
	if (r->nfail == r->capfail) {
		size_t ncap = r->capfail ? r->capfail * 2 : 16;
		struct failure *p = realloc(r->fail, ncap * sizeof *p);
		if (!p)
			return;
		r->fail = p;
		r->capfail = ncap;
	}
	f = &r->fail[r->nfail++];
	f->line = line;
	f->column = column;
	snprintf(f->field, sizeof f->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
	va_end(ap);
}

static int cmp_failure(const void *a, const void *b)
{
	const struct failure *x = a, *y = b;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* --- per-row conversion --------------------------------------------------- */

static bool parse_uint(const char *s, json_int_t *v)
{
	char *e;
	unsigned long long x;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	x = strtoull(s, &e, 10);
	if (errno || *e || x > (unsigned long long)INT64_MAX)
		return false;
	*v = (json_int_t)x;
	return true;
}

static bool parse_number(const char *s, double *v)
{
	char buf[64], *e;
	size_t n = strlen(s);
	if (!n || n >= sizeof buf || *s == ' ')
		return false;
	memcpy(buf, s, n + 1);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == ',')
			buf[i] = '.'; /* Dutch decimal comma: 2,5 */
	errno = 0;
	*v = strtod(buf, &e);
	return !errno && !*e;
}

/* Cell -> JSON value of the claim's type; NULL with *why set on failure. */
static json_t *cell_value(const lp_claim_def *def, const char *text, size_t len, const char **why)
{
	json_int_t iv;
	double dv;

	switch (def->type) {
	case LP_CLAIM_TEXT:
	case LP_CLAIM_DATE:
		return json_stringn(text, len);
	case LP_CLAIM_UINT:
		if (!parse_uint(text, &iv)) {
			*why = "not a whole number";
			return NULL;
		}
		return json_integer(iv);
	case LP_CLAIM_NUMBER:
		if (parse_uint(text, &iv))
			return json_integer(iv);
		if (!parse_number(text, &dv)) {
			*why = "not a number";
			return NULL;
		}
		return json_real(dv);
	case LP_CLAIM_TEXT_LIST: {
		json_t *arr = json_array();
		const char *p = text;
		while (arr) {
			const char *semi = strchr(p, ';');
			size_t l = semi ? (size_t)(semi - p) : strlen(p);
			while (l && *p == ' ')
				p++, l--;
			while (l && p[l - 1] == ' ')
				l--;
			if (l)
				json_array_append_new(arr, json_stringn(p, l));
			if (!semi)
				break;
			p = semi + 1;
		}
		return arr;
	}
	default:
		*why = "a claim that cannot be given in a CSV file; put it in the template";
		return NULL;
	}
}

/* A file name from a learner reference: [A-Za-z0-9._-] kept, others '_';
 * when anything was replaced, 8 hex digits of the row key are added so
 * that two references never share a name ("a/b" and "a_b"). */
static void file_name(const char *ref, const char *key, char *out, size_t cap)
{
	size_t i = 0;
	bool changed = false;
	for (; ref[i] && i + 16 < cap; i++) {
		char ch = ref[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			  ch == '-' || ch == '_' || (ch == '.' && i > 0);
		out[i] = ok ? ch : '_';
		changed |= !ok;
	}
	if (changed || ref[i]) {
		out[i++] = '-';
		memcpy(out + i, key, 8);
		i += 8;
	}
	memcpy(out + i, ".cred", 6);
}

static void batch_key(const char *tmpl, const char *ref, char out[LP_REG_KEY_MAX + 1])
{
	crypto_hash_sha256_state st;
	uint8_t h[32];
	static const uint8_t zero = 0;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)"leerpas-batch-v1", 17);
	crypto_hash_sha256_update(&st, (const uint8_t *)tmpl, strlen(tmpl));
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, (const uint8_t *)ref, strlen(ref));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, LP_REG_KEY_MAX + 1, h, sizeof h);
}

/* --- the batch keys known: in the register, or earlier in this CSV ------- */

#define KS_REGISTER ((size_t)-1) /* "line" of keys already in the register */

struct keyset {
	char (*k)[LP_REG_KEY_MAX + 1];
	size_t *line;
	size_t cap, n;
};

static size_t ks_slot(const struct keyset *s, const char *key)
{
	size_t h = 0;
	for (int i = 0; i < 16; i++)
		h = h * 16 + (size_t)(key[i] <= '9' ? key[i] - '0' : key[i] - 'a' + 10);
	h &= s->cap - 1;
	while (s->k[h][0] && strcmp(s->k[h], key) != 0)
		h = (h + 1) & (s->cap - 1);
	return h;
}

/* Insert key with its line; returns the line already recorded for it
 * (KS_REGISTER for the register), 0 when new. false on allocation failure. */
static bool ks_insert(struct keyset *s, const char *key, size_t line, size_t *prev)
{
	size_t h;
	*prev = 0;
	if ((s->n + 1) * 2 > s->cap) {
		struct keyset ns = { NULL, NULL, s->cap ? s->cap * 2 : 1024, 0 };
		ns.k = calloc(ns.cap, sizeof *ns.k);
		ns.line = calloc(ns.cap, sizeof *ns.line);
		if (!ns.k || !ns.line) {
			free(ns.k);
			free(ns.line);
			return false;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->k[i][0]) {
				size_t j = ks_slot(&ns, s->k[i]);
				memcpy(ns.k[j], s->k[i], sizeof ns.k[j]);
				ns.line[j] = s->line[i];
				ns.n++;
			}
		free(s->k);
		free(s->line);
		*s = ns;
	}
	h = ks_slot(s, key);
	if (s->k[h][0]) {
		*prev = s->line[h];
		return true;
	}
	memcpy(s->k[h], key, LP_REG_KEY_MAX + 1);
	s->line[h] = line;
	s->n++;
	return true;
}

struct preload {
	struct keyset *ks;
	bool ok;
};

static bool preload_key(void *ctx, const char *key)
{
	struct preload *p = ctx;
	size_t prev;
	if (strlen(key) != LP_REG_KEY_MAX)
		return true; /* not a key of ours */
	p->ok = ks_insert(p->ks, key, KS_REGISTER, &prev);
	return p->ok;
}

/* --- workers ---------------------------------------------------------------- */

static int write_cred(const char *dir, const struct job *j);

/* Find which column a claim-check message is about: the first header name
 * quoted in the message. */
static size_t column_in_msg(const struct column *cols, size_t ncols, const char *msg)
{
	for (size_t i = 0; i < ncols; i++) {
		char q[80];
		snprintf(q, sizeof q, "'%s'", cols[i].name);
		if (strstr(msg, q))
			return i + 1;
		snprintf(q, sizeof q, "\"%s\"", cols[i].name);
		if (strstr(msg, q))
			return i + 1;
	}
	return 0;
}

/* The row's claims merged with the template's, as JSON text (malloc'd):
 * the template's members, then the row's (header checks made sure no
 * column repeats a template claim). NULL with j->msg set on failure. */
static char *row_claims(const struct batch *b, struct job *j)
{
	json_t *obj = json_object();
	const char *cell = j->cells, *why = NULL;
	char *lt, *out;
	size_t ll;

	for (size_t i = 0; obj && i < b->ncols; cell += j->cell_len[i] + 1, i++) {
		json_t *v;
		if (j->cell_len[i] == 0)
			continue;
		v = cell_value(b->cols[i].def, cell, j->cell_len[i], &why);
		if (!v) {
			j->err = LP_ERR_CLAIMS;
			j->err_col = i + 1;
			snprintf(j->msg, sizeof j->msg, "'%s' is %s", cell, why ? why : "not valid");
			json_decref(obj);
			return NULL;
		}
		json_object_set_new(obj, b->cols[i].name, v);
	}
	lt = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (!lt) {
		j->err = LP_ERR_NOMEM;
		snprintf(j->msg, sizeof j->msg, "out of memory");
		return NULL;
	}
	ll = strlen(lt);
	out = malloc(b->tprefix_len + ll + 2);
	if (out) {
		memcpy(out, b->tclaims, b->tprefix_len);
		if (ll > 2) {
			size_t o = b->tprefix_len;
			if (b->tprefix_members)
				out[o++] = ',';
			memcpy(out + o, lt + 1, ll); /* the members, '}' and NUL */
		} else {
			memcpy(out + b->tprefix_len, "}", 2);
		}
	} else {
		j->err = LP_ERR_NOMEM;
		snprintf(j->msg, sizeof j->msg, "out of memory");
	}
	free(lt);
	return out;
}

/* In a worker: convert the row, sign its credential, write its file. */
static void process_job(const struct batch *b, struct job *j)
{
	uint8_t cti[LP_CTI_BYTES];
	lp_diag d;
	char *claims = row_claims(b, j);
	lp_buf merged;

	if (!claims)
		return;
	merged.ptr = (uint8_t *)claims;
	merged.len = strlen(claims);
	memset(&d, 0, sizeof d);
	j->err = issue_sign(&b->x, &merged, NULL, j->idx, &j->cred, cti, &d);
	free(claims);
	if (j->err != LP_OK) {
		snprintf(j->msg, sizeof j->msg, "%s", d.msg[0] ? d.msg : lp_err_str(j->err));
		j->err_col = column_in_msg(b->cols, b->ncols, j->msg);
		return;
	}
	sodium_bin2hex(j->cti, sizeof j->cti, cti, sizeof cti);
	if (write_cred(b->out_dir, j) != 0) {
		j->write_errno = errno ? errno : EIO;
		return;
	}
	j->written = true;
}

/* A pool of worker threads that live for the whole batch. The main thread
 * hands it one chunk at a time and, while the chunk is being signed, reads
 * and checks the next chunk's rows. */
struct pool {
	const struct batch *b;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct job *jobs;
	size_t n, next, finished;
	bool quit;
	pthread_t tid[16];
	int nthreads;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		size_t i;
		while (!p->quit && p->next >= p->n)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->quit)
			break;
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		process_job(p->b, &p->jobs[i]);
		pthread_mutex_lock(&p->mu);
		if (++p->finished == p->n)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static bool pool_start(struct pool *p, const struct batch *b, int threads)
{
	memset(p, 0, sizeof *p);
	p->b = b;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&p->work, NULL) != 0 || pthread_cond_init(&p->done, NULL) != 0)
		return false;
	for (int i = 0; i < threads && i < 16; i++)
		if (pthread_create(&p->tid[p->nthreads], NULL, worker, p) == 0)
			p->nthreads++;
	return p->nthreads > 0;
}

static void pool_submit(struct pool *p, struct job *jobs, size_t n)
{
	pthread_mutex_lock(&p->mu);
	p->jobs = jobs;
	p->n = n;
	p->next = 0;
	p->finished = 0;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

static void pool_wait(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->finished < p->n)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

static void pool_stop(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->tid[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
}

/* Write one credential file under its temporary name D/NAME.tmp. It is
 * renamed into place by the main thread once the chunk has committed, so
 * a file under the final name always belongs to a registered credential. */
static int write_cred(const char *dir, const struct job *j)
{
	char tmp[ISSUER_PATH_MAX + 8];
	const uint8_t *p = j->cred.ptr;
	size_t left = j->cred.len;
	int fd;

	snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, j->fname);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;
			close(fd);
			unlink(tmp);
			errno = e;
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* After the commit: move the chunk's files to their final names. */
static void publish_files(const char *dir, struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char path[ISSUER_PATH_MAX], tmp[ISSUER_PATH_MAX + 8];
		if (!jobs[i].written)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, jobs[i].fname);
		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		if (rename(tmp, path) != 0)
			cli_warn("line %zu: the credential of %s is issued but stays in %s: %s; rename it to %s",
				 jobs[i].line, jobs[i].ref, tmp, strerror(errno), path);
	}
}

static void free_jobs(struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].cells);
		jobs[i].cells = NULL;
		lp_buf_free(&jobs[i].cred);
	}
}

/* Open the chunk's transaction, reserve its status entries and hand it to
 * the workers. false on a fatal problem (error printed). */
static bool chunk_start(struct batch *b, struct pool *p, struct job *jobs, size_t n)
{
	uint64_t first = 0;
	lp_err rc = lp_register_begin(b->x.s->reg);
	if (rc == LP_OK)
		rc = lp_register_status_alloc_n(b->x.s->reg, n, &first);
	if (rc != LP_OK) {
		lp_register_rollback(b->x.s->reg);
		if (rc == LP_ERR_LOCKED)
			cli_error("wait for the other leerpas-issuer command to finish and run the batch again "
				  "(rows issued so far are kept and will be skipped)",
				  "the register is locked by another process");
		else
			cli_fail(rc, "check free space and run the batch again (issued rows are skipped)",
				 "cannot reserve status-list entries");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		jobs[i].idx = first + i;
	b->x.now = issuer_now();
	pool_submit(p, jobs, n);
	return true;
}

/* Wait for the chunk's signing, record it, sync its files, commit. On a
 * fatal problem everything of this chunk is undone (its files removed, the
 * transaction rolled back) and false returned. */
static bool chunk_finish(struct batch *b, struct pool *p, int dirfd, struct job *jobs, size_t n,
			 struct report *rep)
{
	lp_err rc = LP_OK;

	pool_wait(p);
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		lp_reg_cred c;
		if (j->err != LP_OK)
			continue;
		if (!j->written) {
			int e = j->write_errno;
			cli_error(e == ENOSPC || e == EFBIG || e == EDQUOT
					  ? "free some space and run the batch again (issued rows are skipped)"
					  : "check the output directory and run the batch again (issued rows are skipped)",
				  "cannot write '%s/%s': %s; this chunk of %zu rows was not issued", b->out_dir, j->fname,
				  strerror(e), n);
			goto undo;
		}
		memset(&c, 0, sizeof c);
		memcpy(c.cti, j->cti, sizeof c.cti);
		memcpy(c.learner, j->ref, sizeof j->ref);
		snprintf(c.tmpl, sizeof c.tmpl, "%s", b->tname);
		snprintf(c.kid, sizeof c.kid, "%s", b->x.key->kid);
		c.issued_at = b->x.now;
		c.status_idx = j->idx;
		memcpy(c.batch_key, j->batch_key, sizeof c.batch_key);
		rc = lp_register_cred_add(b->x.s->reg, &c);
		if (rc != LP_OK) {
			cli_fail(rc, "run the batch again (issued rows are skipped)",
				 "cannot record a credential in the register");
			goto undo;
		}
	}
	if (syncfs(dirfd) != 0) {
		cli_error("check the disk and run the batch again (issued rows are skipped)",
			  "cannot sync the credential files: %s", strerror(errno));
		goto undo;
	}
	rc = lp_register_commit(b->x.s->reg);
	if (rc != LP_OK) {
		cli_fail(rc, "check free space and run the batch again (issued rows are skipped)",
			 "cannot commit the register; this chunk of %zu rows was not issued", n);
		goto remove_files;
	}
	publish_files(b->out_dir, jobs, n);
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		if (j->err == LP_OK) {
			rep->issued++;
			if (rep->issued_list) {
				json_t *o = json_object();
				cli_json_set(o, "line", json_integer((json_int_t)j->line));
				cli_json_set(o, "studentId", json_string(j->ref));
				cli_json_set(o, "cti", json_string(j->cti));
				cli_json_set(o, "file", json_string(j->fname));
				json_array_append_new(rep->issued_list, o);
			}
		} else {
			size_t col = j->err_col;
			add_failure(rep, col && col <= b->ncols ? j->cell_line[col - 1] : j->line, col,
				    col && col <= b->ncols ? b->cols[col - 1].name : "", "%s", j->msg);
		}
	}
	return true;
undo:
	lp_register_rollback(b->x.s->reg);
remove_files:
	for (size_t i = 0; i < n; i++) {
		char tmp[ISSUER_PATH_MAX + 8];
		if (!jobs[i].written)
			continue;
		snprintf(tmp, sizeof tmp, "%s/%s.tmp", b->out_dir, jobs[i].fname);
		unlink(tmp);
	}
	return false;
}

int cmd_issue_batch(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS,
					      { "template", 1, NULL, OPT_TEMPLATE },
					      { "csv", 1, NULL, OPT_CSV },
					      { "out-dir", 1, NULL, OPT_OUT_DIR },
					      { "threads", 1, NULL, OPT_THREADS },
					      { "chunk", 1, NULL, OPT_CHUNK },
					      { 0, 0, 0, 0 } };
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	const char *tname = NULL, *csv_path = NULL, *out_dir = NULL;
	long threads = 0, chunk = 2000;
	issuer_store s;
	issuer_template t;
	lp_signkey key;
	lp_buf csv = { NULL, 0 };
	lp_csv rd;
	lp_csv_row row;
	lp_diag d;
	struct column cols[MAX_COLS];
	size_t ncols = 0, ref_col = SIZE_MAX, ncur = 0, ninflight = 0;
	struct job *jobs = NULL, *cur = NULL, *inflight = NULL;
	struct batch b;
	struct pool pool;
	bool have_pool = false;
	struct keyset seen = { NULL, NULL, 0, 0 };
	struct report rep;
	cli_progress prog;
	size_t tprefix_len = 0;
	bool tprefix_members = false;
	bool bad = false, have_store = false, have_tmpl = false, have_csv = false, fatal = false;
	int opt, ret = CLI_EXIT_ERROR, dirfd = -1;
	lp_err rc;
	char *end;

	memset(&key, 0, sizeof key);
	memset(&rep, 0, sizeof rep);
	memset(&prog, 0, sizeof prog);
	memset(&b, 0, sizeof b);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			c.help = true;
		else if (common_option(&c, opt, optarg, "issue-batch", &bad))
			;
		else if (opt == OPT_TEMPLATE)
			tname = optarg;
		else if (opt == OPT_CSV)
			csv_path = optarg;
		else if (opt == OPT_OUT_DIR)
			out_dir = optarg;
		else if (opt == OPT_THREADS || opt == OPT_CHUNK) {
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > (opt == OPT_THREADS ? 16 : 100000))
				return cli_usage_error("issue-batch", "%s needs a number (threads 1..16, chunk 1..100000)",
						       opt == OPT_THREADS ? "--threads" : "--chunk");
			if (opt == OPT_THREADS)
				threads = v;
			else
				chunk = v;
		} else
			return cli_usage_error("issue-batch", "unknown option");
	}
	int opts_exit = options_done(&c, "issue-batch", help, bad, argc, argv);
	if (opts_exit >= 0)
		return opts_exit;
	if (!tname || !csv_path || !out_dir)
		return cli_usage_error("issue-batch", "--template, --csv and --out-dir are required");
	if (threads == 0) {
		long np = sysconf(_SC_NPROCESSORS_ONLN);
		threads = np < 1 ? 1 : np > 16 ? 16 : np;
	}

	if ((ret = store_open(&s, c.dir)) != CLI_EXIT_OK)
		return ret;
	have_store = true;
	ret = CLI_EXIT_ERROR;
	if (template_load(&s, tname, &t) != CLI_EXIT_OK)
		goto out;
	have_tmpl = true;
	if (cli_read_file(csv_path, ISSUER_MAX_CSV, "CSV file", &csv) != LP_OK)
		goto out;
	if (lp_csv_init(&rd, lp_buf_view(&csv)) != LP_OK) {
		cli_fail(LP_ERR_NOMEM, NULL, "cannot read the CSV file");
		goto out;
	}
	have_csv = true;

	/* The header names the claims. Problems here are fatal: every row
	 * would fail the same way. */
	memset(&d, 0, sizeof d);
	rc = lp_csv_next(&rd, &row, &d);
	if (rc == LP_ERR_NOT_FOUND) {
		cli_error("give a header row of claim names and one row per learner", "'%s' is empty", csv_path);
		goto out;
	}
	if (rc != LP_OK) {
		cli_error("fix the header row of the CSV file", "'%s' %s", csv_path, d.msg);
		goto out;
	}
	for (size_t i = 0; i < row.count; i++) {
		const lp_claim_def *def = lp_claims_by_name(row.field[i].text);
		if (!def) {
			cli_error("use claim names such as studentId, fullName, dateOfBirth, grade (see docs/issuer.md)",
				  "'%s' line %zu, column %zu: '%s' is not a claim name", csv_path, row.line, i + 1,
				  row.field[i].text);
			goto out;
		}
		for (size_t k = 0; k < ncols; k++)
			if (cols[k].def == def) {
				cli_error("remove one of them", "'%s' line %zu: column %zu repeats column %zu ('%s')",
					  csv_path, row.line, i + 1, k + 1, def->name);
				goto out;
			}
		cols[ncols].def = def;
		cols[ncols].name = def->name;
		if (strcmp(def->name, "studentId") == 0)
			ref_col = ncols;
		ncols++;
	}
	{
		json_t *tc = json_object_get(t.root, "claims");
		for (size_t i = 0; i < ncols; i++)
			if (json_object_get(tc, cols[i].name)) {
				cli_error("remove the column, or leave the claim out of the template",
					  "'%s' line 1, column %zu: '%s' is fixed by template '%s'", csv_path, i + 1,
					  cols[i].name, tname);
				goto out;
			}
		/* Rows are merged with the template as text: the template's
		 * claims without their closing brace, then the row's members. */
		tprefix_len = strlen(t.claims_json);
		while (tprefix_len && t.claims_json[tprefix_len - 1] != '}')
			tprefix_len--;
		if (tprefix_len)
			tprefix_len--;
		tprefix_members = json_object_size(tc) > 0;
	}
	if (ref_col == SIZE_MAX) {
		cli_error("add a studentId column: it is the learner's reference in the register and names the file",
			  "'%s' has no studentId column", csv_path);
		goto out;
	}

	if (mkdir(out_dir, 0700) != 0 && errno != EEXIST) {
		cli_error("check the path and its permissions", "cannot create '%s': %s", out_dir, strerror(errno));
		goto out;
	}
	dirfd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		cli_error("check the path and its permissions", "cannot open '%s': %s", out_dir, strerror(errno));
		goto out;
	}
	if ((ret = store_load_key(&s, &c.pass, &key)) != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_ERROR;

	/* Rows issued by earlier runs are skipped without a query per row. */
	{
		struct preload pl = { &seen, true };
		rc = lp_register_batch_keys(s.reg, preload_key, &pl);
		if (rc != LP_OK || !pl.ok) {
			cli_fail(rc != LP_OK ? rc : LP_ERR_NOMEM, "try again", "cannot read the register");
			goto out;
		}
	}
	jobs = calloc(2 * (size_t)chunk, sizeof *jobs);
	if (!jobs) {
		cli_fail(LP_ERR_NOMEM, NULL, "cannot start the batch");
		goto out;
	}
	b.x.s = &s;
	b.x.t = &t;
	b.x.key = &key;
	b.x.now = issuer_now();
	b.out_dir = out_dir;
	b.tname = tname;
	b.cols = cols;
	b.ncols = ncols;
	b.tclaims = t.claims_json;
	b.tprefix_len = tprefix_len;
	b.tprefix_members = tprefix_members;
	if (!pool_start(&pool, &b, (int)threads)) {
		cli_fail(LP_ERR_INTERNAL, "try --threads 1", "cannot start the signing threads");
		goto out;
	}
	have_pool = true;
	if (c.json)
		rep.issued_list = json_array();
	{
		/* rows (roughly) for the progress bar: count line ends */
		size_t lines = 0;
		for (size_t i = 0; i < csv.len; i++)
			lines += csv.ptr[i] == '\n';
		cli_progress_start(&prog, "issuing", lines ? lines : 1);
	}
	/* Two halves of `jobs`: one is filled from the CSV while the other is
	 * being signed. */
	cur = jobs;
	for (;;) {
		const char *cell_err = NULL;
		struct job *j;
		size_t prev, total = 0;
		bool end_of_input;

		memset(&d, 0, sizeof d);
		rc = lp_csv_next(&rd, &row, &d);
		end_of_input = rc == LP_ERR_NOT_FOUND;
		if (!end_of_input) {
			rep.rows++;
			if (rc != LP_OK) {
				add_failure(&rep, rd.err_line, rd.err_column, "", "%s",
					    strchr(d.msg, ':') ? strchr(d.msg, ':') + 2 : d.msg);
				goto progress;
			}
			if (row.count != ncols) {
				add_failure(&rep, row.line, row.count < ncols ? row.count + 1 : ncols + 1, "",
					    "%zu fields where the header has %zu", row.count, ncols);
				goto progress;
			}
			if (row.field[ref_col].len == 0 || row.field[ref_col].len > LP_REG_REF_MAX) {
				add_failure(&rep, row.line, ref_col + 1, "studentId", "%s",
					    row.field[ref_col].len ? "longer than 128 characters"
								   : "empty: every row needs the learner's studentId");
				goto progress;
			}
			j = &cur[ncur];
			memset(j, 0, sizeof *j);
			j->line = row.line;
			memcpy(j->ref, row.field[ref_col].text, row.field[ref_col].len + 1);
			batch_key(tname, j->ref, j->batch_key);
			if (!ks_insert(&seen, j->batch_key, row.line, &prev)) {
				cli_fail(LP_ERR_NOMEM, NULL, "cannot continue the batch");
				fatal = true;
				break;
			}
			file_name(j->ref, j->batch_key, j->fname, sizeof j->fname);
			if (prev == KS_REGISTER) {
				char path[ISSUER_PATH_MAX], tmp[ISSUER_PATH_MAX + 8];
				rep.skipped++;
				snprintf(path, sizeof path, "%s/%s", out_dir, j->fname);
				snprintf(tmp, sizeof tmp, "%s.tmp", path);
				/* issued, but interrupted before its file got its name */
				if (access(path, F_OK) != 0 && access(tmp, F_OK) == 0 && rename(tmp, path) == 0)
					cli_warn("line %zu: %s was issued by an interrupted run; its file %s is now in place",
						 row.line, j->ref, path);
				else if (access(path, F_OK) != 0) {
					char cti[LP_REG_CTI_MAX + 1] = "?";
					bool seen_before;
					if (lp_register_batch_seen(s.reg, j->batch_key, &seen_before, cti) != LP_OK)
						cti[0] = '?', cti[1] = '\0';
					cli_warn("line %zu: %s was issued earlier (cti %s) but %s is not there; "
						 "it is not issued again",
						 row.line, j->ref, cti, path);
				}
				goto progress;
			}
			if (prev) {
				add_failure(&rep, row.line, ref_col + 1, "studentId",
					    "studentId '%s' is also on line %zu; a learner gets one credential per template",
					    j->ref, prev);
				goto progress;
			}
			{
				/* never replace another credential's file (e.g. of
				 * another template issued into the same folder) */
				char path[ISSUER_PATH_MAX];
				snprintf(path, sizeof path, "%s/%s", out_dir, j->fname);
				if (access(path, F_OK) == 0) {
					add_failure(&rep, row.line, ref_col + 1, "studentId",
						    "%s already exists (another credential of this learner?); "
						    "use another --out-dir for each template",
						    path);
					goto progress;
				}
			}
			for (size_t i = 0; i < ncols; i++)
				total += row.field[i].len + 1;
			j->cells = malloc(total);
			if (!j->cells) {
				cli_fail(LP_ERR_NOMEM, NULL, "cannot continue the batch");
				fatal = true;
				break;
			}
			total = 0;
			for (size_t i = 0; i < ncols; i++) {
				memcpy(j->cells + total, row.field[i].text, row.field[i].len + 1);
				j->cell_len[i] = row.field[i].len;
				j->cell_line[i] = row.field[i].line;
				total += row.field[i].len + 1;
			}
			(void)cell_err;
			ncur++;
		}
		if (ncur == (size_t)chunk || (end_of_input && ncur)) {
			/* finish the chunk in flight, then start this one */
			if (inflight) {
				bool ok = chunk_finish(&b, &pool, dirfd, inflight, ninflight, &rep);
				free_jobs(inflight, ninflight);
				inflight = NULL;
				if (!ok) {
					fatal = true;
					break;
				}
				cli_progress_update(&prog, rd.line);
			}
			if (!chunk_start(&b, &pool, cur, ncur)) {
				fatal = true;
				break;
			}
			inflight = cur;
			ninflight = ncur;
			cur = cur == jobs ? jobs + chunk : jobs;
			ncur = 0;
		}
		if (end_of_input)
			break;
progress:
		if (rep.rows % 256 == 0)
			cli_progress_update(&prog, rd.line);
	}
	if (inflight) {
		if (fatal) {
			/* a problem while reading: undo the chunk in flight */
			pool_wait(&pool);
			lp_register_rollback(s.reg);
			for (size_t i = 0; i < ninflight; i++)
				if (inflight[i].written) {
					char tmp[ISSUER_PATH_MAX + 8];
					snprintf(tmp, sizeof tmp, "%s/%s.tmp", out_dir, inflight[i].fname);
					unlink(tmp);
				}
		} else if (!chunk_finish(&b, &pool, dirfd, inflight, ninflight, &rep)) {
			fatal = true;
		}
		free_jobs(inflight, ninflight);
	}
	free_jobs(cur, ncur);
	if (!fatal && rep.issued && syncfs(dirfd) != 0)
		cli_warn("cannot sync '%s': %s", out_dir, strerror(errno));
	cli_progress_end(&prog);

	if (rep.nfail > 1)
		qsort(rep.fail, rep.nfail, sizeof *rep.fail, cmp_failure);
	for (size_t i = 0; i < rep.nfail; i++) {
		struct failure *f = &rep.fail[i];
		if (f->column)
			fprintf(stderr, "%s: line %zu, column %zu%s%s%s: %s\n", csv_path, f->line, f->column,
				f->field[0] ? " (" : "", f->field, f->field[0] ? ")" : "", f->msg);
		else
			fprintf(stderr, "%s: line %zu: %s\n", csv_path, f->line, f->msg);
	}
	if (c.json) {
		json_t *o = json_object(), *fl = json_array();
		for (size_t i = 0; i < rep.nfail; i++) {
			json_t *e = json_object();
			cli_json_set(e, "line", json_integer((json_int_t)rep.fail[i].line));
			cli_json_set(e, "column", rep.fail[i].column ? json_integer((json_int_t)rep.fail[i].column) : json_null());
			cli_json_set(e, "field", rep.fail[i].field[0] ? json_string(rep.fail[i].field) : json_null());
			cli_json_set(e, "error", json_string(rep.fail[i].msg));
			json_array_append_new(fl, e);
		}
		cli_json_set(o, "template", json_string(tname));
		cli_json_set(o, "rows", json_integer((json_int_t)rep.rows));
		cli_json_set(o, "issued", json_integer((json_int_t)rep.issued));
		cli_json_set(o, "skipped", json_integer((json_int_t)rep.skipped));
		cli_json_set(o, "failed", json_integer((json_int_t)rep.nfail));
		cli_json_set(o, "complete", json_boolean(!fatal));
		cli_json_set(o, "failures", fl);
		cli_json_set(o, "credentials", rep.issued_list);
		rep.issued_list = NULL;
		cli_json_print(o);
	} else {
		printf("%zu rows: %zu issued, %zu already issued earlier (skipped), %zu failed%s\n", rep.rows, rep.issued,
		       rep.skipped, rep.nfail, fatal ? "; the batch stopped early (see the error above)" : "");
		if (rep.issued)
			printf("Credential files are in %s (unbound: see docs/issuer.md)\n", out_dir);
		if (rep.nfail)
			printf("Fix the failed rows and run the same command again: issued rows are skipped.\n");
	}
	ret = fatal ? CLI_EXIT_ERROR : rep.nfail ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	if (have_pool)
		pool_stop(&pool);
	if (dirfd >= 0)
		close(dirfd);
	free(jobs);
	free(seen.k);
	free(seen.line);
	free(rep.fail);
	json_decref(rep.issued_list);
	if (have_csv)
		lp_csv_free(&rd);
	lp_buf_free(&csv);
	lp_signkey_free(&key);
	if (have_tmpl)
		template_free(&t);
	if (have_store)
		store_close(&s);
	return ret;
}
