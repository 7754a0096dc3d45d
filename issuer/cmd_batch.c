/* leerpas-issuer issue-batch: graduation day. One credential per CSV row,
 * one file per learner. A bad row is reported (line, column, why), issues
 * nothing and does not stop the others; rows already in the register (same
 * template and learner) are skipped, so a rerun never duplicates.
 *
 * Speed: the signing key is unlocked (Argon2id, about half a second) in a
 * thread of its own while the main thread reads up to READ_AHEAD rows and
 * makes their claims and empty NAME.tmp files. Then a pool of worker
 * threads signs and writes chunk after chunk of a ring, while the main
 * thread records the chunk before in the register and reads the next.
 *
 * Safety: nothing is reserved, signed or renamed before the key is
 * unlocked, and the .tmp files made ahead are removed when it is not (a
 * wrong passphrase changes nothing). A chunk's status entries are reserved
 * in a committed transaction of their own before it is signed; its rows
 * are recorded in a second one: the chunk's files (NAME.tmp) are synced
 * (syncfs), the chunk commits, and only then are the files renamed into
 * place; so a file under its final name always belongs to a registered
 * credential. After a crash, uncommitted rows are issued again by a rerun
 * (their .tmp files overwritten; the entries reserved for them stay unused,
 * never shared), and committed rows whose rename did not happen get it on
 * the rerun. tests/test_crash.c kills a batch at every write.
 *
 * Why syncfs and not an fsync per file: on the ext4 of the benchmark
 * machine an fsync per credential file (even after sync_file_range) cost
 * 0.6 to 0.8 s more processor time and 0.5 to 1.5 s more wall time per
 * 10,000 files than one syncfs per chunk, which waits for the file
 * system's other dirty pages too but does so while the workers sign the
 * next chunk (bench/NOTES.md, item 5). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
#define READ_AHEAD 16384 /* rows read while the key is being unlocked */

struct column {
	const lp_claim_def *def;
	const char *name;
};

struct chunk;

/* One row on its way through a chunk. The main thread fills line, ref,
 * batch_key, fname and cells, and while the signing key is still being
 * unlocked also members and the empty NAME.tmp; a worker converts what is
 * left, signs and writes. */
struct job {
	struct chunk *ch;
	size_t line;
	char ref[LP_REG_REF_MAX + 1];
	char batch_key[LP_REG_KEY_MAX + 1];
	char fname[LP_REG_REF_MAX + 24];
	char *cells;                  /* the row's fields, NUL-separated (owned) */
	uint32_t *cell_len;           /* per column: length and line (in cells' block) */
	uint32_t *cell_line;
	char *members;                /* row_members made ahead, or NULL (owned) */
	bool tmp_made;                /* NAME.tmp exists (made ahead or written) */
	int fd;                       /* NAME.tmp made ahead and still open, or -1 */
	uint64_t idx;
	lp_buf cred;
	char cti[LP_REG_CTI_MAX + 1];
	lp_err err;
	size_t err_col;               /* 1-based column of the problem, 0 unknown */
	char msg[240];
	bool written;                 /* the file is in place (not yet synced) */
	int write_errno;
};

/* Up to `chunk` rows that are signed together and recorded in one register
 * transaction. Chunks live in a ring; the main thread fills, submits and
 * finishes them in order, so the workers sign one chunk while the main
 * thread records the one before and reads the next. */
struct chunk {
	struct job *jobs;             /* `chunk` entries, allocated on first use */
	size_t n;
	size_t left;                  /* jobs not yet done by a worker (pool mutex) */
	issue_ctx x;                  /* with this chunk's issuance time */
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

static int write_cred(const char *dir, struct job *j);

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

/* The row's claims as the members of a JSON object, without the braces
 * ("" when every cell is empty), malloc'd: small enough to keep for
 * thousands of rows read ahead. NULL with j->msg set on failure. */
static char *row_members(const struct batch *b, struct job *j)
{
	json_t *obj = json_object();
	const char *cell = j->cells, *why = NULL;
	char *lt, *out = NULL;
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
	if (lt && (ll = strlen(lt)) >= 2 && (out = malloc(ll - 1))) {
		memcpy(out, lt + 1, ll - 2); /* drop '{' and '}' */
		out[ll - 2] = '\0';
	}
	free(lt);
	if (!out) {
		j->err = LP_ERR_NOMEM;
		snprintf(j->msg, sizeof j->msg, "out of memory");
	}
	return out;
}

/* The temporary name of a job's file: D/NAME.tmp. */
static void tmp_path(char out[ISSUER_PATH_MAX + 8], const char *dir, const struct job *j)
{
	snprintf(out, ISSUER_PATH_MAX + 8, "%s/%s.tmp", dir, j->fname);
}

/* Remove a job's NAME.tmp if this run made it and it holds no credential
 * that will be recorded. */
static void drop_tmp(const char *dir, struct job *j)
{
	char tmp[ISSUER_PATH_MAX + 8];
	if (j->fd >= 0) {
		close(j->fd);
		j->fd = -1;
	}
	if (!j->tmp_made)
		return;
	tmp_path(tmp, dir, j);
	unlink(tmp);
	j->tmp_made = false;
	j->written = false;
}

/* In a worker: convert the row (unless done ahead), sign its credential
 * through the worker's own template object (*tm, made on its first job:
 * the template's claims are parsed and split once per thread, not once per
 * learner), write its file. */
static void process_job(const struct batch *b, struct job *j, lp_sdcwt_template **tm)
{
	uint8_t cti[LP_CTI_BYTES];
	lp_diag d;
	char *members = j->members ? j->members : row_members(b, j), *claims = NULL;

	j->members = NULL;
	memset(&d, 0, sizeof d);
	if (members) {
		size_t ml = strlen(members);
		claims = malloc(ml + 3);
		if (claims) {
			claims[0] = '{';
			memcpy(claims + 1, members, ml);
			memcpy(claims + 1 + ml, "}", 2);
		} else {
			j->err = LP_ERR_NOMEM;
			snprintf(j->msg, sizeof j->msg, "out of memory");
		}
	}
	free(members);
	if (claims && !*tm && (j->err = issue_template_new(j->ch->x.t, tm, &d)) != LP_OK) {
		snprintf(j->msg, sizeof j->msg, "template: %s", d.msg[0] ? d.msg : lp_err_str(j->err));
		free(claims);
		claims = NULL;
	}
	if (!claims) {
		drop_tmp(b->out_dir, j);
		return;
	}
	j->err = issue_sign_from(&j->ch->x, *tm, claims, strlen(claims), NULL, j->idx, &j->cred, cti, &d);
	free(claims);
	if (j->err != LP_OK) {
		snprintf(j->msg, sizeof j->msg, "%s", d.msg[0] ? d.msg : lp_err_str(j->err));
		j->err_col = column_in_msg(b->cols, b->ncols, j->msg);
		drop_tmp(b->out_dir, j);
		return;
	}
	sodium_bin2hex(j->cti, sizeof j->cti, cti, sizeof cti);
	if (write_cred(b->out_dir, j) != 0) {
		j->write_errno = errno ? errno : EIO;
		j->tmp_made = false; /* write_cred removed it */
		return;
	}
	j->tmp_made = true;
	j->written = true;
}

/* A pool of worker threads that live for the whole batch. The main thread
 * submits chunks of the ring in order; the workers take their jobs one by
 * one across chunk boundaries, so they never wait for the main thread to
 * record a chunk as long as the next one is submitted. */
struct pool {
	const struct batch *b;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct chunk *ring;
	size_t m;                     /* chunks in the ring */
	size_t take, take_i;          /* the next job: ring[take % m].jobs[take_i] */
	size_t sub;                   /* chunks submitted so far (ring[sub % m] is next) */
	bool quit;
	pthread_t tid[16];
	int nthreads;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	lp_sdcwt_template *tm = NULL; /* this thread's own (libcbor counts are not atomic) */
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct chunk *c;
		struct job *j;
		while (!p->quit && p->take == p->sub)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->quit)
			break;
		c = &p->ring[p->take % p->m];
		j = &c->jobs[p->take_i++];
		if (p->take_i == c->n) {
			p->take++;
			p->take_i = 0;
		}
		pthread_mutex_unlock(&p->mu);
		process_job(p->b, j, &tm);
		pthread_mutex_lock(&p->mu);
		if (--c->left == 0)
			pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	lp_sdcwt_template_free(tm);
	return NULL;
}

static bool pool_start(struct pool *p, const struct batch *b, struct chunk *ring, size_t m, int threads)
{
	memset(p, 0, sizeof *p);
	p->b = b;
	p->ring = ring;
	p->m = m;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&p->work, NULL) != 0 || pthread_cond_init(&p->done, NULL) != 0)
		return false;
	for (int i = 0; i < threads && i < 16; i++)
		if (pthread_create(&p->tid[p->nthreads], NULL, worker, p) == 0)
			p->nthreads++;
	return p->nthreads > 0;
}

/* Hand the next chunk of the ring (n > 0 jobs) to the workers. */
static void pool_submit(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->ring[p->sub % p->m].left = p->ring[p->sub % p->m].n;
	p->sub++;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

static bool pool_chunk_done(struct pool *p, const struct chunk *c)
{
	bool done;
	pthread_mutex_lock(&p->mu);
	done = c->left == 0;
	pthread_mutex_unlock(&p->mu);
	return done;
}

static void pool_wait_chunk(struct pool *p, const struct chunk *c)
{
	pthread_mutex_lock(&p->mu);
	while (c->left)
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

/* --- the signing key, unlocked in a thread ----------------------------------- */

/* Argon2id at the store's cost (256 MiB by default) takes about half a
 * second of one core. It runs in its own thread from the moment the
 * passphrase is read, while the main thread reads the CSV and prepares
 * rows; nothing is written to the register or signed before it succeeded.
 * The passphrase stays in guarded memory and is wiped by the thread. */
struct unlock {
	const issuer_store *s;
	lp_reg_key cur;
	cli_secret pass;
	lp_signkey *key;
	lp_err rc;
	lp_diag d;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool threaded, done, joined;
};

static void unlock_run(struct unlock *u)
{
	lp_diag d;
	lp_err rc;

	memset(&d, 0, sizeof d);
	rc = store_open_keyfile_quiet(u->s, &u->cur, &u->pass, u->key, &d);
	cli_secret_free(&u->pass);
	pthread_mutex_lock(&u->mu);
	u->rc = rc;
	u->d = d;
	u->done = true;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
}

static void *unlock_main(void *arg)
{
	unlock_run(arg);
	return NULL;
}

/* Start unlocking (u->s, cur, pass and key set; pass is consumed). Runs it
 * here when no thread can be made. */
static void unlock_start(struct unlock *u)
{
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->cv, NULL);
	u->threaded = pthread_create(&u->tid, NULL, unlock_main, u) == 0;
	if (!u->threaded)
		unlock_run(u);
}

/* 0 while the key is being unlocked (only when !block), 1 unlocked, -1
 * failed (u->rc, u->d say why). */
static int unlock_poll(struct unlock *u, bool block)
{
	bool done;
	pthread_mutex_lock(&u->mu);
	while (block && !u->done)
		pthread_cond_wait(&u->cv, &u->mu);
	done = u->done;
	pthread_mutex_unlock(&u->mu);
	if (!done)
		return 0;
	if (u->threaded && !u->joined) {
		pthread_join(u->tid, NULL);
		u->joined = true;
	}
	return u->rc == LP_OK ? 1 : -1;
}

/* Wait for the thread (at exit, on any path) and release what it holds. */
static void unlock_end(struct unlock *u)
{
	(void)unlock_poll(u, true);
	pthread_cond_destroy(&u->cv);
	pthread_mutex_destroy(&u->mu);
}

/* --- files ----------------------------------------------------------------------- */

/* Write one credential file under its temporary name D/NAME.tmp (made
 * empty ahead, or created here). It is renamed into place by the main
 * thread once the chunk has committed, so a file under the final name
 * always belongs to a registered credential. On failure the .tmp file is
 * removed and errno says why. */
static int write_cred(const char *dir, struct job *j)
{
	char tmp[ISSUER_PATH_MAX + 8];
	const uint8_t *p = j->cred.ptr;
	size_t left = j->cred.len;
	int fd = j->fd;

	j->fd = -1;
	tmp_path(tmp, dir, j);
	if (fd < 0)
		fd = open(tmp, j->tmp_made ? O_WRONLY | O_NOFOLLOW | O_CLOEXEC
					   : O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			  0600);
	if (fd < 0) {
		int e = errno;
		if (j->tmp_made)
			unlink(tmp);
		errno = e;
		return -1;
	}
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
		tmp_path(tmp, dir, &jobs[i]);
		if (rename(tmp, path) != 0)
			cli_warn("line %zu: the credential of %s is issued but stays in %s: %s; rename it to %s",
				 jobs[i].line, jobs[i].ref, tmp, strerror(errno), path);
		jobs[i].tmp_made = false;
	}
}

/* Free a chunk's jobs; with discard, also remove the .tmp files this run
 * made for them (nothing of the chunk was committed). */
static void chunk_clear(const char *dir, struct chunk *c, bool discard)
{
	for (size_t i = 0; i < c->n; i++) {
		struct job *j = &c->jobs[i];
		if (discard)
			drop_tmp(dir, j);
		free(j->cell_len);
		j->cell_len = j->cell_line = NULL;
		j->cells = NULL;
		free(j->members);
		j->members = NULL;
		lp_buf_free(&j->cred);
	}
	c->n = 0;
}

/* --- chunks ------------------------------------------------------------------------ */

/* A register failure during the batch: another process holding the lock
 * gets its own advice, anything else todo and what. */
static void register_error(lp_err rc, const char *todo, const char *what)
{
	if (rc == LP_ERR_LOCKED)
		cli_error("wait for the other leerpas-issuer command to finish and run the batch again "
			  "(rows issued so far are kept and will be skipped)",
			  "the register is locked by another process");
	else
		cli_fail(rc, todo, "%s", what);
}

/* Reserve the chunk's status entries (a transaction of its own, committed)
 * and hand it to the workers. Entries reserved for a chunk that is then
 * not recorded (a crash, a full disk) are never handed out again: they
 * stay unused, which costs 2 bits each in the status list and can never
 * make two credentials share an entry. false on a fatal problem (error
 * printed). */
static bool chunk_start(const struct batch *b, struct pool *p, struct chunk *c)
{
	uint64_t first = 0;
	lp_err rc = lp_register_status_alloc_n(b->x.s->reg, c->n, &first);
	if (rc != LP_OK) {
		register_error(rc, "check free space and run the batch again (issued rows are skipped)",
			       "cannot reserve status-list entries");
		return false;
	}
	for (size_t i = 0; i < c->n; i++)
		c->jobs[i].idx = first + i;
	c->x = b->x;
	c->x.now = issuer_now();
	pool_submit(p);
	return true;
}

/* Record a signed chunk: its rows in one transaction, its files synced
 * before the commit and renamed after it. On a fatal problem everything
 * of this chunk is undone (its files removed, the transaction rolled back)
 * and false returned. */
static bool chunk_finish(const struct batch *b, int dirfd, struct chunk *c, struct report *rep)
{
	struct job *jobs = c->jobs;
	size_t n = c->n;
	lp_err rc = lp_register_begin(b->x.s->reg);

	if (rc != LP_OK) {
		register_error(rc, "run the batch again (issued rows are skipped)", "cannot open the register");
		goto undo;
	}
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		lp_reg_cred rec;
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
		memset(&rec, 0, sizeof rec);
		memcpy(rec.cti, j->cti, sizeof rec.cti);
		memcpy(rec.learner, j->ref, sizeof j->ref);
		snprintf(rec.tmpl, sizeof rec.tmpl, "%s", b->tname);
		snprintf(rec.kid, sizeof rec.kid, "%s", b->x.key->kid);
		rec.issued_at = c->x.now;
		rec.status_idx = j->idx;
		memcpy(rec.batch_key, j->batch_key, sizeof rec.batch_key);
		rc = lp_register_cred_add(b->x.s->reg, &rec);
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
		goto undo;
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
	for (size_t i = 0; i < n; i++)
		drop_tmp(b->out_dir, &jobs[i]);
	return false;
}

/* --- reading the rows ---------------------------------------------------------- */

/* Whether n more descriptors can be open at once, raising the soft limit
 * towards the hard one if needed. */
static bool fd_room(size_t n)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return false;
	want = (rlim_t)n + 64;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want && (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want)) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			return false;
	}
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want;
}

/* What the main thread needs to turn CSV rows into jobs. */
struct reader {
	const struct batch *b;
	lp_csv *rd;
	const char *csv_path;
	size_t ref_col;
	size_t chunk;
	struct keyset *seen;
	struct report *rep;
	struct unlock *u;
	bool keep_fds;                /* one descriptor per row read ahead fits */
	bool eof;
};

/* Before the key is unlocked the main thread has a core to spare: it makes
 * the row's claims and its empty NAME.tmp, which the workers would
 * otherwise do after the unlock, and keeps the file open for the worker
 * when keep_fd (the descriptor limit allows one per row read ahead). A
 * failure here is left for the worker to meet again and report. */
static void prepare_ahead(const struct batch *b, struct job *j, bool keep_fd)
{
	char tmp[ISSUER_PATH_MAX + 8];
	int fd;

	j->members = row_members(b, j);
	if (!j->members) {
		j->err = LP_OK; /* the worker converts it again and reports */
		j->err_col = 0;
		j->msg[0] = '\0';
		return;
	}
	tmp_path(tmp, b->out_dir, j);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		j->tmp_made = true;
		if (keep_fd)
			j->fd = fd;
		else
			close(fd);
	}
}

/* Read rows into c until it holds r->chunk jobs or the input ends (r->eof).
 * Rows that cannot be issued are reported and take no job. ahead: the key
 * is not unlocked yet (see prepare_ahead). false on a fatal problem (error
 * printed); c then holds the jobs read so far. */
static bool fill_chunk(struct reader *r, struct chunk *c, bool ahead)
{
	const struct batch *b = r->b;
	lp_csv_row row;
	lp_diag d;
	lp_err rc;

	while (c->n < r->chunk) {
		struct job *j;
		size_t prev, total = 0;

		memset(&d, 0, sizeof d);
		rc = lp_csv_next(r->rd, &row, &d);
		if (rc == LP_ERR_NOT_FOUND) {
			r->eof = true;
			break;
		}
		r->rep->rows++;
		if (rc != LP_OK) {
			add_failure(r->rep, r->rd->err_line, r->rd->err_column, "", "%s",
				    strchr(d.msg, ':') ? strchr(d.msg, ':') + 2 : d.msg);
			continue;
		}
		if (row.count != b->ncols) {
			add_failure(r->rep, row.line, row.count < b->ncols ? row.count + 1 : b->ncols + 1, "",
				    "%zu fields where the header has %zu", row.count, b->ncols);
			continue;
		}
		if (row.field[r->ref_col].len == 0 || row.field[r->ref_col].len > LP_REG_REF_MAX) {
			add_failure(r->rep, row.line, r->ref_col + 1, "studentId", "%s",
				    row.field[r->ref_col].len ? "longer than 128 characters"
							      : "empty: every row needs the learner's studentId");
			continue;
		}
		j = &c->jobs[c->n];
		memset(j, 0, sizeof *j);
		j->fd = -1;
		j->ch = c;
		j->line = row.line;
		memcpy(j->ref, row.field[r->ref_col].text, row.field[r->ref_col].len + 1);
		batch_key(b->tname, j->ref, j->batch_key);
		if (!ks_insert(r->seen, j->batch_key, row.line, &prev)) {
			cli_fail(LP_ERR_NOMEM, NULL, "cannot continue the batch");
			return false;
		}
		file_name(j->ref, j->batch_key, j->fname, sizeof j->fname);
		if (prev == KS_REGISTER) {
			char path[ISSUER_PATH_MAX], tmp[ISSUER_PATH_MAX + 8];
			r->rep->skipped++;
			snprintf(path, sizeof path, "%s/%s", b->out_dir, j->fname);
			tmp_path(tmp, b->out_dir, j);
			/* issued, but interrupted before its file got its name;
			 * renamed only with the key unlocked, as a wrong
			 * passphrase changes nothing */
			if (access(path, F_OK) != 0 && access(tmp, F_OK) == 0 && unlock_poll(r->u, true) > 0 &&
			    rename(tmp, path) == 0)
				cli_warn("line %zu: %s was issued by an interrupted run; its file %s is now in place",
					 row.line, j->ref, path);
			else if (access(path, F_OK) != 0 && unlock_poll(r->u, true) > 0) {
				char cti[LP_REG_CTI_MAX + 1] = "?";
				bool seen_before;
				if (lp_register_batch_seen(b->x.s->reg, j->batch_key, &seen_before, cti) != LP_OK)
					cti[0] = '?', cti[1] = '\0';
				cli_warn("line %zu: %s was issued earlier (cti %s) but %s is not there; "
					 "it is not issued again",
					 row.line, j->ref, cti, path);
			}
			continue;
		}
		if (prev) {
			add_failure(r->rep, row.line, r->ref_col + 1, "studentId",
				    "studentId '%s' is also on line %zu; a learner gets one credential per template",
				    j->ref, prev);
			continue;
		}
		{
			/* never replace another credential's file (e.g. of
			 * another template issued into the same folder) */
			char path[ISSUER_PATH_MAX];
			snprintf(path, sizeof path, "%s/%s", b->out_dir, j->fname);
			if (access(path, F_OK) == 0) {
				add_failure(r->rep, row.line, r->ref_col + 1, "studentId",
					    "%s already exists (another credential of this learner?); "
					    "use another --out-dir for each template",
					    path);
				continue;
			}
		}
		/* one block: lengths, lines, then the texts */
		total = 2 * b->ncols * sizeof(uint32_t);
		for (size_t i = 0; i < b->ncols; i++)
			total += row.field[i].len + 1;
		j->cell_len = malloc(total);
		if (!j->cell_len) {
			cli_fail(LP_ERR_NOMEM, NULL, "cannot continue the batch");
			return false;
		}
		j->cell_line = j->cell_len + b->ncols;
		j->cells = (char *)(j->cell_line + b->ncols);
		total = 0;
		for (size_t i = 0; i < b->ncols; i++) {
			memcpy(j->cells + total, row.field[i].text, row.field[i].len + 1);
			j->cell_len[i] = (uint32_t)row.field[i].len;
			j->cell_line[i] = (uint32_t)row.field[i].line;
			total += row.field[i].len + 1;
		}
		if (ahead)
			prepare_ahead(b, j, r->keep_fds);
		c->n++;
	}
	return true;
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
	size_t ncols = 0, ref_col = SIZE_MAX, m = 0, fin = 0, fil = 0;
	struct chunk *ring = NULL;
	struct batch b;
	struct pool pool;
	struct reader rdr;
	struct unlock u;
	bool have_pool = false, have_unlock = false;
	struct keyset seen = { NULL, NULL, 0, 0 };
	struct report rep;
	cli_progress prog;
	bool bad = false, have_store = false, have_tmpl = false, have_csv = false, fatal = false;
	int opt, ret = CLI_EXIT_ERROR, dirfd = -1;
	lp_err rc;
	char *end;

	memset(&key, 0, sizeof key);
	memset(&rep, 0, sizeof rep);
	memset(&prog, 0, sizeof prog);
	memset(&b, 0, sizeof b);
	memset(&rdr, 0, sizeof rdr);
	memset(&u, 0, sizeof u);
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
	/* The key is unlocked in a thread from here on (see struct unlock). */
	if ((ret = store_key_prepare(&s, &c.pass, &u.cur, &u.pass)) != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_ERROR;
	u.s = &s;
	u.key = &key;
	unlock_start(&u);
	have_unlock = true;

	/* Rows issued by earlier runs are skipped without a query per row. */
	{
		struct preload pl = { &seen, true };
		rc = lp_register_batch_keys(s.reg, preload_key, &pl);
		if (rc != LP_OK || !pl.ok) {
			cli_fail(rc != LP_OK ? rc : LP_ERR_NOMEM, "try again", "cannot read the register");
			goto out;
		}
	}
	/* Enough chunks to read about READ_AHEAD rows while the key is being
	 * unlocked, at least two (one signed while the next is read). */
	m = READ_AHEAD / (size_t)chunk + 1;
	m = m < 2 ? 2 : m > 64 ? 64 : m;
	ring = calloc(m, sizeof *ring);
	if (!ring) {
		cli_fail(LP_ERR_NOMEM, NULL, "cannot start the batch");
		goto out;
	}
	b.x.s = &s;
	b.x.t = &t;
	b.x.key = &key;
	b.out_dir = out_dir;
	b.tname = tname;
	b.cols = cols;
	b.ncols = ncols;
	if (!pool_start(&pool, &b, ring, m, (int)threads)) {
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
	rdr.b = &b;
	rdr.rd = &rd;
	rdr.csv_path = csv_path;
	rdr.ref_col = ref_col;
	rdr.chunk = (size_t)chunk;
	rdr.seen = &seen;
	rdr.rep = &rep;
	rdr.u = &u;
	rdr.keep_fds = fd_room(READ_AHEAD + 64);

	/* The ring's chunks [fin, pool.sub) are with the workers or signed,
	 * [pool.sub, fil) are read and wait for the key. The main thread
	 * records a signed chunk first, else reads the next, else waits. */
	for (;;) {
		int k = unlock_poll(&u, false);
		if (k < 0)
			break;
		if (k > 0) {
			while (pool.sub < fil && !fatal)
				fatal = !chunk_start(&b, &pool, &ring[pool.sub % m]);
			if (fatal)
				break;
			if (fin < pool.sub && pool_chunk_done(&pool, &ring[fin % m])) {
				struct chunk *ch = &ring[fin % m];
				bool ok = chunk_finish(&b, dirfd, ch, &rep);
				size_t last = ch->jobs[ch->n - 1].line;
				chunk_clear(out_dir, ch, false);
				fin++;
				if (!ok) {
					fatal = true;
					break;
				}
				cli_progress_update(&prog, last);
				continue;
			}
		}
		if (!rdr.eof && fil - fin < m) {
			struct chunk *ch = &ring[fil % m];
			if (!ch->jobs && !(ch->jobs = calloc((size_t)chunk, sizeof *ch->jobs))) {
				cli_fail(LP_ERR_NOMEM, NULL, "cannot continue the batch");
				fatal = true;
				break;
			}
			if (!fill_chunk(&rdr, ch, k == 0)) {
				fil++; /* its jobs are discarded below */
				fatal = true;
				break;
			}
			if (ch->n)
				fil++;
			continue;
		}
		if (rdr.eof && fin == fil)
			break;
		if (k == 0)
			(void)unlock_poll(&u, true);
		else
			pool_wait_chunk(&pool, &ring[fin % m]);
	}
	/* Stopped early: let the workers finish what they hold, then undo
	 * every chunk not recorded (its reserved status entries stay unused). */
	for (size_t i = fin; i < pool.sub; i++)
		pool_wait_chunk(&pool, &ring[i % m]);
	for (size_t i = fin; i < fil; i++)
		chunk_clear(out_dir, &ring[i % m], true);
	if (unlock_poll(&u, true) < 0) {
		cli_progress_end(&prog);
		store_keyfile_report(&s, &u.cur, u.rc, &u.d);
		ret = store_key_exit(u.rc);
		goto out;
	}
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
	if (have_unlock)
		unlock_end(&u);
	cli_secret_free(&u.pass);
	if (dirfd >= 0)
		close(dirfd);
	for (size_t i = 0; ring && i < m; i++)
		free(ring[i].jobs);
	free(ring);
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
