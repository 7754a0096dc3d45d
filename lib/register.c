/* The issuer's register in SQLite (WAL, busy timeout, transactions). Hot
 * statements are prepared once per connection so that batch issuance
 * spends its time signing, not parsing SQL. See include/leerpas/register.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "leerpas/register.h"

enum {
	ST_CRED_ADD,
	ST_BATCH_SEEN,
	ST_META_GET,
	ST_META_SET,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_CRED_ADD] = "INSERT INTO credentials(cti, learner, template, kid, issued_at, status_idx,"
			" status, reason, changed_at, batch_key, holder)"
			" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_BATCH_SEEN] = "SELECT cti FROM credentials WHERE batch_key = ?1 LIMIT 1",
	[ST_META_GET] = "SELECT v FROM meta WHERE k = ?1",
	[ST_META_SET] = "INSERT INTO meta(k, v) VALUES(?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
};

struct lp_register {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
};

static const char schema_sql[] =
	"CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
	"CREATE TABLE keys("
	" kid TEXT PRIMARY KEY,"
	" public_key BLOB NOT NULL CHECK(length(public_key) = 32),"
	" valid_from INTEGER NOT NULL,"
	" valid_until INTEGER,"
	" secret_file TEXT NOT NULL);"
	"CREATE TABLE credentials("
	" cti TEXT PRIMARY KEY,"
	" learner TEXT NOT NULL,"
	" template TEXT NOT NULL,"
	" kid TEXT NOT NULL REFERENCES keys(kid),"
	" issued_at INTEGER NOT NULL,"
	" status_idx INTEGER NOT NULL UNIQUE,"
	" status INTEGER NOT NULL DEFAULT 0 CHECK(status IN (0, 1, 2)),"
	" reason TEXT,"
	" changed_at INTEGER,"
	" batch_key TEXT,"
	" holder TEXT);"
	"CREATE UNIQUE INDEX credentials_batch ON credentials(batch_key) WHERE batch_key IS NOT NULL;"
	"CREATE INDEX credentials_learner ON credentials(learner);"
	"CREATE TABLE modules("
	" issuer TEXT NOT NULL,"
	" cti TEXT NOT NULL,"
	" composite TEXT NOT NULL,"
	" PRIMARY KEY(issuer, cti));"
	"INSERT INTO meta(k, v) VALUES('schema', '1'), ('next_status_idx', '0');";

static lp_err map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return LP_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return LP_ERR_LOCKED;
	case SQLITE_CONSTRAINT:
		return LP_ERR_EXISTS;
	case SQLITE_NOMEM:
		return LP_ERR_NOMEM;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return LP_ERR_IO;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return LP_ERR_MALFORMED;
	default:
		return LP_ERR_INTERNAL;
	}
}

static bool text_ok(const char *s, size_t max)
{
	return s && strlen(s) <= max;
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = t ? strlen((const char *)t) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

static lp_err exec(lp_register *r, const char *sql)
{
	return map_rc(sqlite3_exec(r->db, sql, NULL, NULL, NULL));
}

static void finalize_all(lp_register *r)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(r->st[i]);
		r->st[i] = NULL;
	}
}

void lp_register_close(lp_register *r)
{
	if (!r)
		return;
	finalize_all(r);
	sqlite3_close_v2(r->db);
	free(r);
}

void lp_register_set_timeout(lp_register *r, int ms)
{
	sqlite3_busy_timeout(r->db, ms < 0 ? 0 : ms);
}

const char *lp_register_errmsg(lp_register *r)
{
	return r && r->db ? sqlite3_errmsg(r->db) : "no register";
}

/* Open a connection with our settings; the schema is not checked here. */
static lp_err connect_db(const char *path, int flags, lp_register **out)
{
	lp_register *r = calloc(1, sizeof *r);
	lp_err rc;
	int s;

	*out = NULL;
	if (!r)
		return LP_ERR_NOMEM;
	s = sqlite3_open_v2(path, &r->db, flags | SQLITE_OPEN_NOFOLLOW, NULL);
	if (s != SQLITE_OK) {
		rc = map_rc(s);
		lp_register_close(r);
		return rc;
	}
	sqlite3_extended_result_codes(r->db, 1);
	sqlite3_busy_timeout(r->db, LP_REG_DEFAULT_TIMEOUT_MS);
	/* WAL: readers (list, show, status publish) never block the writer;
	 * synchronous FULL: a committed issuance survives a power loss. */
	rc = exec(r, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
		  " PRAGMA cache_size=-32768;");
	if (rc != LP_OK) {
		lp_register_close(r);
		return rc;
	}
	*out = r;
	return LP_OK;
}

static lp_err prepare_all(lp_register *r)
{
	for (int i = 0; i < ST_COUNT; i++) {
		int s = sqlite3_prepare_v3(r->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &r->st[i], NULL);
		if (s != SQLITE_OK)
			return map_rc(s) == LP_ERR_INTERNAL ? LP_ERR_MALFORMED : map_rc(s);
	}
	return LP_OK;
}

static void remove_db_files(const char *path)
{
	size_t n = strlen(path);
	char *p = malloc(n + 8);
	unlink(path);
	if (!p)
		return;
	snprintf(p, n + 8, "%s-wal", path);
	unlink(p);
	snprintf(p, n + 8, "%s-shm", path);
	unlink(p);
	snprintf(p, n + 8, "%s-journal", path);
	unlink(p);
	free(p);
}

lp_err lp_register_create(const char *path, lp_register **out)
{
	struct stat st;
	lp_register *r = NULL;
	lp_err rc;

	*out = NULL;
	if (!path)
		return LP_ERR_ARG;
	if (lstat(path, &st) == 0)
		return LP_ERR_EXISTS;
	rc = connect_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &r);
	if (rc != LP_OK)
		goto fail;
	rc = exec(r, "BEGIN IMMEDIATE");
	if (rc != LP_OK)
		goto fail;
	rc = exec(r, schema_sql);
	if (rc == LP_OK)
		rc = exec(r, "COMMIT");
	if (rc != LP_OK)
		goto fail;
	rc = prepare_all(r);
	if (rc != LP_OK)
		goto fail;
	*out = r;
	return LP_OK;
fail:
	lp_register_close(r);
	remove_db_files(path);
	return rc;
}

lp_err lp_register_open(const char *path, lp_register **out)
{
	lp_register *r = NULL;
	char *ver = NULL;
	lp_err rc;

	*out = NULL;
	if (!path)
		return LP_ERR_ARG;
	if (access(path, F_OK) != 0)
		return errno == ENOENT ? LP_ERR_NOT_FOUND : LP_ERR_IO;
	rc = connect_db(path, SQLITE_OPEN_READWRITE, &r);
	if (rc != LP_OK)
		return rc;
	rc = prepare_all(r);
	if (rc != LP_OK)
		goto fail;
	rc = lp_register_meta_get(r, "schema", &ver);
	if (rc == LP_ERR_NOT_FOUND)
		rc = LP_ERR_MALFORMED;
	if (rc != LP_OK)
		goto fail;
	if (atoi(ver) > LP_REG_SCHEMA_VERSION)
		rc = LP_ERR_VERSION;
	else if (atoi(ver) != LP_REG_SCHEMA_VERSION)
		rc = LP_ERR_MALFORMED;
	free(ver);
	if (rc != LP_OK)
		goto fail;
	*out = r;
	return LP_OK;
fail:
	lp_register_close(r);
	return rc;
}

lp_err lp_register_begin(lp_register *r)
{
	return exec(r, "BEGIN IMMEDIATE");
}

lp_err lp_register_commit(lp_register *r)
{
	lp_err rc = exec(r, "COMMIT");
	if (rc != LP_OK)
		lp_register_rollback(r);
	return rc;
}

void lp_register_rollback(lp_register *r)
{
	if (!sqlite3_get_autocommit(r->db))
		(void)sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Step a prepared statement to completion (no rows expected) and reset. */
static lp_err step_done(sqlite3_stmt *st)
{
	int s = sqlite3_step(st);
	lp_err rc = s == SQLITE_DONE ? LP_OK : map_rc(s);
	if (s == SQLITE_ROW)
		rc = LP_ERR_INTERNAL;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

lp_err lp_register_meta_set(lp_register *r, const char *key, const char *value)
{
	sqlite3_stmt *st = r->st[ST_META_SET];
	if (!key || !value)
		return LP_ERR_ARG;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return step_done(st);
}

lp_err lp_register_meta_get(lp_register *r, const char *key, char **out)
{
	sqlite3_stmt *st = r->st[ST_META_GET];
	lp_err rc;
	int s;

	*out = NULL;
	if (!key)
		return LP_ERR_ARG;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		*out = strdup(t ? (const char *)t : "");
		rc = *out ? LP_OK : LP_ERR_NOMEM;
	} else {
		rc = s == SQLITE_DONE ? LP_ERR_NOT_FOUND : map_rc(s);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* --- keys ----------------------------------------------------------------- */

lp_err lp_register_key_add(lp_register *r, const lp_reg_key *k)
{
	sqlite3_stmt *st = NULL;
	int s;

	if (!k || !*k->kid || !text_ok(k->kid, LP_REG_NAME_MAX) ||
	    !text_ok(k->secret_file, LP_REG_PATH_MAX))
		return LP_ERR_ARG;
	s = sqlite3_prepare_v2(r->db,
			       "INSERT INTO keys(kid, public_key, valid_from, valid_until, secret_file)"
			       " VALUES(?1, ?2, ?3, ?4, ?5)",
			       -1, &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	sqlite3_bind_text(st, 1, k->kid, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, k->pk, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, k->valid_from);
	if (k->valid_until)
		sqlite3_bind_int64(st, 4, k->valid_until);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, k->secret_file, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	sqlite3_finalize(st);
	return s == SQLITE_DONE ? LP_OK : map_rc(s);
}

lp_err lp_register_key_retire(lp_register *r, const char *kid, int64_t until)
{
	sqlite3_stmt *st = NULL;
	lp_err rc;
	int s;

	if (!kid || until <= 0)
		return LP_ERR_ARG;
	s = sqlite3_prepare_v2(r->db, "SELECT valid_until FROM keys WHERE kid = ?1", -1, &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	sqlite3_bind_text(st, 1, kid, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_DONE)
		rc = LP_ERR_NOT_FOUND;
	else if (s != SQLITE_ROW)
		rc = map_rc(s);
	else
		rc = sqlite3_column_type(st, 0) == SQLITE_NULL ? LP_OK : LP_ERR_STATE;
	sqlite3_finalize(st);
	if (rc != LP_OK)
		return rc;
	s = sqlite3_prepare_v2(r->db, "UPDATE keys SET valid_until = ?2 WHERE kid = ?1", -1, &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	sqlite3_bind_text(st, 1, kid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, until);
	s = sqlite3_step(st);
	sqlite3_finalize(st);
	return s == SQLITE_DONE ? LP_OK : map_rc(s);
}

static void row_to_key(sqlite3_stmt *st, lp_reg_key *k)
{
	const void *pk = sqlite3_column_blob(st, 1);
	memset(k, 0, sizeof *k);
	copy_col(k->kid, sizeof k->kid, st, 0);
	if (pk && sqlite3_column_bytes(st, 1) == 32)
		memcpy(k->pk, pk, 32);
	k->valid_from = sqlite3_column_int64(st, 2);
	k->valid_until = sqlite3_column_type(st, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 3);
	copy_col(k->secret_file, sizeof k->secret_file, st, 4);
}

#define KEY_COLS "kid, public_key, valid_from, valid_until, secret_file"

lp_err lp_register_key_current(lp_register *r, lp_reg_key *out)
{
	sqlite3_stmt *st = NULL;
	lp_err rc;
	int s;

	memset(out, 0, sizeof *out);
	s = sqlite3_prepare_v2(r->db,
			       "SELECT " KEY_COLS " FROM keys WHERE valid_until IS NULL"
			       " ORDER BY valid_from DESC, rowid DESC LIMIT 1",
			       -1, &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		row_to_key(st, out);
		rc = LP_OK;
	} else {
		rc = s == SQLITE_DONE ? LP_ERR_NOT_FOUND : map_rc(s);
	}
	sqlite3_finalize(st);
	return rc;
}

lp_err lp_register_keys(lp_register *r, lp_reg_key **keys, size_t *n)
{
	sqlite3_stmt *st = NULL;
	lp_reg_key *arr = NULL;
	size_t len = 0, cap = 0;
	lp_err rc = LP_OK;
	int s;

	*keys = NULL;
	*n = 0;
	s = sqlite3_prepare_v2(r->db, "SELECT " KEY_COLS " FROM keys ORDER BY valid_from, rowid", -1,
			       &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			lp_reg_key *p = realloc(arr, ncap * sizeof *arr);
			if (!p) {
				rc = LP_ERR_NOMEM;
				break;
			}
			arr = p;
			cap = ncap;
		}
		row_to_key(st, &arr[len++]);
	}
	if (rc == LP_OK && s != SQLITE_DONE)
		rc = map_rc(s);
	sqlite3_finalize(st);
	if (rc != LP_OK) {
		free(arr);
		return rc;
	}
	*keys = arr;
	*n = len;
	return LP_OK;
}

/* --- credentials ------------------------------------------------------------ */

lp_err lp_register_status_alloc_n(lp_register *r, uint64_t n, uint64_t *first)
{
	char *v = NULL, buf[32];
	unsigned long long next;
	bool own;
	lp_err rc;

	*first = 0;
	if (n == 0)
		return LP_ERR_ARG;
	own = sqlite3_get_autocommit(r->db) != 0;
	if (own && (rc = lp_register_begin(r)) != LP_OK)
		return rc;
	rc = lp_register_meta_get(r, "next_status_idx", &v);
	if (rc != LP_OK)
		goto out;
	next = strtoull(v, NULL, 10);
	free(v);
	if (next > (1ull << 40) - n) {
		rc = LP_ERR_TOO_LARGE;
		goto out;
	}
	snprintf(buf, sizeof buf, "%llu", next + n);
	rc = lp_register_meta_set(r, "next_status_idx", buf);
	if (rc == LP_OK)
		*first = next;
out:
	if (own) {
		if (rc == LP_OK)
			rc = lp_register_commit(r);
		else
			lp_register_rollback(r);
		if (rc != LP_OK)
			*first = 0;
	}
	return rc;
}

lp_err lp_register_status_alloc(lp_register *r, uint64_t *idx)
{
	return lp_register_status_alloc_n(r, 1, idx);
}

lp_err lp_register_cred_add(lp_register *r, const lp_reg_cred *c)
{
	sqlite3_stmt *st = r->st[ST_CRED_ADD];

	if (!c || !*c->cti || !text_ok(c->cti, LP_REG_CTI_MAX) || !text_ok(c->learner, LP_REG_REF_MAX) ||
	    !text_ok(c->tmpl, LP_REG_NAME_MAX) || !text_ok(c->kid, LP_REG_NAME_MAX) ||
	    !text_ok(c->reason, LP_REG_REASON_MAX) || !text_ok(c->batch_key, LP_REG_KEY_MAX) ||
	    !text_ok(c->holder, LP_REG_HOLDER_MAX) || c->status > 2 || c->status_idx > INT64_MAX)
		return LP_ERR_ARG;
	sqlite3_bind_text(st, 1, c->cti, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->learner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->tmpl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->kid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->issued_at);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)c->status_idx);
	sqlite3_bind_int(st, 7, (int)c->status);
	if (*c->reason)
		sqlite3_bind_text(st, 8, c->reason, -1, SQLITE_STATIC);
	if (c->changed_at)
		sqlite3_bind_int64(st, 9, c->changed_at);
	if (*c->batch_key)
		sqlite3_bind_text(st, 10, c->batch_key, -1, SQLITE_STATIC);
	if (*c->holder)
		sqlite3_bind_text(st, 11, c->holder, -1, SQLITE_STATIC);
	return step_done(st);
}

lp_err lp_register_batch_seen(lp_register *r, const char *batch_key, bool *seen, char *cti)
{
	sqlite3_stmt *st = r->st[ST_BATCH_SEEN];
	lp_err rc = LP_OK;
	int s;

	*seen = false;
	if (!batch_key || !*batch_key)
		return LP_ERR_ARG;
	sqlite3_bind_text(st, 1, batch_key, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*seen = true;
		if (cti)
			copy_col(cti, LP_REG_CTI_MAX + 1, st, 0);
	} else if (s != SQLITE_DONE) {
		rc = map_rc(s);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

lp_err lp_register_batch_keys(lp_register *r, lp_reg_key_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	int s = sqlite3_prepare_v2(r->db, "SELECT batch_key FROM credentials WHERE batch_key IS NOT NULL", -1,
				   &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(st, 0);
		if (k && !cb(ctx, (const char *)k)) {
			s = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return s == SQLITE_DONE ? LP_OK : map_rc(s);
}

#define CRED_COLS \
	"cti, learner, template, kid, issued_at, status_idx, status, reason, changed_at, batch_key, holder"

static void row_to_cred(sqlite3_stmt *st, lp_reg_cred *c)
{
	memset(c, 0, sizeof *c);
	copy_col(c->cti, sizeof c->cti, st, 0);
	copy_col(c->learner, sizeof c->learner, st, 1);
	copy_col(c->tmpl, sizeof c->tmpl, st, 2);
	copy_col(c->kid, sizeof c->kid, st, 3);
	c->issued_at = sqlite3_column_int64(st, 4);
	c->status_idx = (uint64_t)sqlite3_column_int64(st, 5);
	c->status = (unsigned)sqlite3_column_int(st, 6);
	copy_col(c->reason, sizeof c->reason, st, 7);
	c->changed_at = sqlite3_column_int64(st, 8);
	copy_col(c->batch_key, sizeof c->batch_key, st, 9);
	copy_col(c->holder, sizeof c->holder, st, 10);
}

static bool hex_text(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

lp_err lp_register_cred_get(lp_register *r, const char *cti, lp_reg_cred *out)
{
	sqlite3_stmt *st = NULL;
	char pattern[LP_REG_CTI_MAX + 2];
	lp_err rc;
	size_t n;
	int s;

	if (!cti) {
		memset(out, 0, sizeof *out);
		return LP_ERR_ARG;
	}
	/* cti may point into *out: take the pattern before clearing it */
	n = strlen(cti);
	if (n < 8 || n > LP_REG_CTI_MAX || !hex_text(cti)) {
		memset(out, 0, sizeof *out);
		return LP_ERR_ARG;
	}
	memcpy(pattern, cti, n);
	memset(out, 0, sizeof *out);
	pattern[n] = '%'; /* hex digits never contain LIKE wildcards */
	pattern[n + 1] = '\0';
	s = sqlite3_prepare_v2(r->db, "SELECT " CRED_COLS " FROM credentials WHERE cti LIKE ?1 LIMIT 2",
			       -1, &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		row_to_cred(st, out);
		s = sqlite3_step(st);
		/* a second match makes a prefix ambiguous (an exact full cti
		 * cannot match twice: it is the primary key) */
		rc = s == SQLITE_DONE ? LP_OK : s == SQLITE_ROW ? LP_ERR_ARG : map_rc(s);
	} else {
		rc = s == SQLITE_DONE ? LP_ERR_NOT_FOUND : map_rc(s);
	}
	sqlite3_finalize(st);
	if (rc != LP_OK)
		memset(out, 0, sizeof *out);
	return rc;
}

lp_err lp_register_cred_set_status(lp_register *r, const char *cti, unsigned status,
				   const char *reason, int64_t at)
{
	sqlite3_stmt *st = NULL;
	lp_err rc;
	int s;

	if (!cti || status > 2 || (reason && !text_ok(reason, LP_REG_REASON_MAX)))
		return LP_ERR_ARG;
	s = sqlite3_prepare_v2(r->db,
			       "UPDATE credentials SET status = ?2, reason = ?3, changed_at = ?4 WHERE cti = ?1",
			       -1, &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	sqlite3_bind_text(st, 1, cti, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)status);
	if (reason && *reason)
		sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	s = sqlite3_step(st);
	rc = s == SQLITE_DONE ? (sqlite3_changes(r->db) == 1 ? LP_OK : LP_ERR_NOT_FOUND) : map_rc(s);
	sqlite3_finalize(st);
	return rc;
}

lp_err lp_register_cred_foreach(lp_register *r, lp_reg_cred_cb cb, void *ctx)
{
	sqlite3_stmt *st = NULL;
	lp_reg_cred c;
	int s;

	s = sqlite3_prepare_v2(r->db, "SELECT " CRED_COLS " FROM credentials ORDER BY issued_at, rowid",
			       -1, &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_cred(st, &c);
		if (!cb(ctx, &c)) {
			s = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return s == SQLITE_DONE ? LP_OK : map_rc(s);
}

lp_err lp_register_counts(lp_register *r, uint64_t *creds, uint64_t *list_size)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;
	lp_err rc;
	int s;

	*creds = 0;
	*list_size = 0;
	s = sqlite3_prepare_v2(r->db, "SELECT count(*) FROM credentials", -1, &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		*creds = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (s != SQLITE_ROW)
		return map_rc(s);
	rc = lp_register_meta_get(r, "next_status_idx", &v);
	if (rc != LP_OK)
		return rc;
	*list_size = strtoull(v, NULL, 10);
	free(v);
	return LP_OK;
}

lp_err lp_register_nonvalid(lp_register *r, uint64_t **idx, unsigned **status, size_t *n)
{
	sqlite3_stmt *st = NULL;
	uint64_t *ia = NULL;
	unsigned *sa = NULL;
	size_t len = 0, cap = 0;
	lp_err rc = LP_OK;
	int s;

	*idx = NULL;
	*status = NULL;
	*n = 0;
	s = sqlite3_prepare_v2(r->db, "SELECT status_idx, status FROM credentials WHERE status != 0", -1,
			       &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			uint64_t *pi = realloc(ia, ncap * sizeof *ia);
			if (pi)
				ia = pi;
			unsigned *ps = pi ? realloc(sa, ncap * sizeof *sa) : NULL;
			if (!pi || !ps) {
				rc = LP_ERR_NOMEM;
				break;
			}
			sa = ps;
			cap = ncap;
		}
		ia[len] = (uint64_t)sqlite3_column_int64(st, 0);
		sa[len] = (unsigned)sqlite3_column_int(st, 1);
		len++;
	}
	if (rc == LP_OK && s != SQLITE_DONE)
		rc = map_rc(s);
	sqlite3_finalize(st);
	if (rc != LP_OK) {
		free(ia);
		free(sa);
		return rc;
	}
	*idx = ia;
	*status = sa;
	*n = len;
	return LP_OK;
}

lp_err lp_register_module_use(lp_register *r, const char *issuer, const char *cti,
			      const char *composite, char *used_by)
{
	sqlite3_stmt *st = NULL;
	lp_err rc;
	int s;

	if (used_by)
		used_by[0] = '\0';
	if (!issuer || !cti || !composite || !text_ok(cti, LP_REG_CTI_MAX) ||
	    !text_ok(composite, LP_REG_CTI_MAX) || strlen(issuer) > 2048)
		return LP_ERR_ARG;
	s = sqlite3_prepare_v2(r->db, "SELECT composite FROM modules WHERE issuer = ?1 AND cti = ?2", -1,
			       &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cti, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		if (used_by)
			copy_col(used_by, LP_REG_CTI_MAX + 1, st, 0);
		rc = LP_ERR_EXISTS;
	} else {
		rc = s == SQLITE_DONE ? LP_OK : map_rc(s);
	}
	sqlite3_finalize(st);
	if (rc != LP_OK)
		return rc;
	s = sqlite3_prepare_v2(r->db, "INSERT INTO modules(issuer, cti, composite) VALUES(?1, ?2, ?3)", -1,
			       &st, NULL);
	if (s != SQLITE_OK)
		return map_rc(s);
	sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cti, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, composite, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	sqlite3_finalize(st);
	return s == SQLITE_DONE ? LP_OK : map_rc(s);
}
