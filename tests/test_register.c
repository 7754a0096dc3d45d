/* Tests of the issuer register: create/open, keys and their periods,
 * credentials with idempotent batch keys, status changes, status-index
 * allocation, module double-counting, locking, rollback, bad files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leerpas/register.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/lp-register-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/register.db", dir);
}

static void teardown(void)
{
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(reg, .init = setup, .fini = teardown);

static lp_register *fresh(void)
{
	lp_register *r;
	lp_reg_key k = { .kid = "k1", .valid_from = 1000, .secret_file = "keys/k1.key" };
	memset(k.pk, 7, 32);
	cr_assert_eq(lp_register_create(path, &r), LP_OK);
	cr_assert_eq(lp_register_key_add(r, &k), LP_OK);
	return r;
}

static lp_reg_cred cred(const char *cti, uint64_t idx, const char *batch)
{
	lp_reg_cred c;
	memset(&c, 0, sizeof c);
	snprintf(c.cti, sizeof c.cti, "%s", cti);
	strcpy(c.learner, "S1001");
	strcpy(c.tmpl, "microcredential");
	strcpy(c.kid, "k1");
	c.issued_at = 2000;
	c.status_idx = idx;
	snprintf(c.batch_key, sizeof c.batch_key, "%s", batch);
	return c;
}

Test(reg, create_refuses_existing_and_reopens)
{
	lp_register *r = fresh(), *r2;
	char *v;
	cr_assert_eq(lp_register_meta_set(r, "issuer_id", "https://roc.example"), LP_OK);
	lp_register_close(r);
	cr_assert_eq(lp_register_create(path, &r2), LP_ERR_EXISTS);
	cr_assert_null(r2);
	cr_assert_eq(lp_register_open(path, &r2), LP_OK);
	cr_assert_eq(lp_register_meta_get(r2, "issuer_id", &v), LP_OK);
	cr_assert_str_eq(v, "https://roc.example");
	free(v);
	cr_assert_eq(lp_register_meta_get(r2, "absent", &v), LP_ERR_NOT_FOUND);
	cr_assert_null(v);
	lp_register_close(r2);
}

Test(reg, open_missing_garbage_newer)
{
	lp_register *r;
	char junk[160];
	FILE *f;
	cr_assert_eq(lp_register_open(path, &r), LP_ERR_NOT_FOUND);
	snprintf(junk, sizeof junk, "%s/junk.db", dir);
	f = fopen(junk, "w");
	fputs("this is not a database, just some text that is long enough to matter.........", f);
	fclose(f);
	cr_assert_eq(lp_register_open(junk, &r), LP_ERR_MALFORMED);
	cr_assert_null(r);
	r = fresh();
	cr_assert_eq(lp_register_meta_set(r, "schema", "9"), LP_OK);
	lp_register_close(r);
	cr_assert_eq(lp_register_open(path, &r), LP_ERR_VERSION);
	cr_assert_null(r);
}

Test(reg, keys_rotate)
{
	lp_register *r = fresh();
	lp_reg_key k2 = { .kid = "k2", .valid_from = 5000, .secret_file = "keys/k2.key" }, cur, *all;
	size_t n;
	memset(k2.pk, 9, 32);
	cr_assert_eq(lp_register_key_current(r, &cur), LP_OK);
	cr_assert_str_eq(cur.kid, "k1");
	cr_assert_eq(lp_register_begin(r), LP_OK);
	cr_assert_eq(lp_register_key_retire(r, "k1", 5000), LP_OK);
	cr_assert_eq(lp_register_key_add(r, &k2), LP_OK);
	cr_assert_eq(lp_register_commit(r), LP_OK);
	cr_assert_eq(lp_register_key_retire(r, "k1", 6000), LP_ERR_STATE);
	cr_assert_eq(lp_register_key_retire(r, "nope", 6000), LP_ERR_NOT_FOUND);
	cr_assert_eq(lp_register_key_current(r, &cur), LP_OK);
	cr_assert_str_eq(cur.kid, "k2");
	cr_assert_eq(cur.pk[0], 9);
	cr_assert_eq(lp_register_keys(r, &all, &n), LP_OK);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(all[0].kid, "k1");
	cr_assert_eq(all[0].valid_until, 5000);
	cr_assert_str_eq(all[0].secret_file, "keys/k1.key");
	cr_assert_eq(all[1].valid_until, 0);
	free(all);
	cr_assert_eq(lp_register_key_add(r, &k2), LP_ERR_EXISTS);
	lp_register_close(r);
}

Test(reg, credentials_and_status)
{
	lp_register *r = fresh();
	lp_reg_cred c = cred("00112233445566778899aabbccddeeff", 0, ""), got;
	uint64_t *idx, n_creds, size;
	unsigned *st;
	size_t n;
	cr_assert_eq(lp_register_cred_add(r, &c), LP_OK);
	c = cred("0011223344556677ffffffffffffffff", 1, "");
	cr_assert_eq(lp_register_cred_add(r, &c), LP_OK);
	/* the same cti or status index twice is refused */
	c = cred("0011223344556677ffffffffffffffff", 2, "");
	cr_assert_eq(lp_register_cred_add(r, &c), LP_ERR_EXISTS);
	c = cred("aa11223344556677ffffffffffffffff", 1, "");
	cr_assert_eq(lp_register_cred_add(r, &c), LP_ERR_EXISTS);
	/* unknown key id is refused (foreign key) */
	c = cred("bb11223344556677ffffffffffffffff", 5, "");
	strcpy(c.kid, "unknown");
	cr_assert_neq(lp_register_cred_add(r, &c), LP_OK);

	cr_assert_eq(lp_register_cred_get(r, "00112233445566778899aabbccddeeff", &got), LP_OK);
	cr_assert_str_eq(got.learner, "S1001");
	cr_assert_eq(got.status, 0);
	cr_assert_eq(lp_register_cred_get(r, "0011223344556677ff", &got), LP_OK);
	cr_assert_eq(got.status_idx, 1);
	cr_assert_eq(lp_register_cred_get(r, "00112233", &got), LP_ERR_ARG); /* ambiguous */
	cr_assert_eq(lp_register_cred_get(r, "0011", &got), LP_ERR_ARG);     /* too short */
	cr_assert_eq(lp_register_cred_get(r, "0011223%", &got), LP_ERR_ARG); /* not hex */
	cr_assert_eq(lp_register_cred_get(r, "99999999", &got), LP_ERR_NOT_FOUND);
	cr_assert_str_eq(got.cti, "", "output not zeroed on failure");
	cr_assert_eq(lp_register_cred_get(r, "0011223344556677ff", &got), LP_OK);

	cr_assert_eq(lp_register_cred_set_status(r, got.cti, 1, "fraud", 3000), LP_OK);
	cr_assert_eq(lp_register_cred_set_status(r, "ffffffff", 1, NULL, 3000), LP_ERR_NOT_FOUND);
	cr_assert_eq(lp_register_cred_set_status(r, got.cti, 3, NULL, 3000), LP_ERR_ARG);
	cr_assert_eq(lp_register_cred_get(r, got.cti, &got), LP_OK);
	cr_assert_eq(got.status, 1);
	cr_assert_str_eq(got.reason, "fraud");
	cr_assert_eq(got.changed_at, 3000);
	cr_assert_eq(lp_register_nonvalid(r, &idx, &st, &n), LP_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(idx[0], 1);
	cr_assert_eq(st[0], 1);
	free(idx);
	free(st);
	cr_assert_eq(lp_register_counts(r, &n_creds, &size), LP_OK);
	cr_assert_eq(n_creds, 2);
	lp_register_close(r);
}

Test(reg, batch_key_idempotent)
{
	lp_register *r = fresh();
	lp_reg_cred c = cred("00112233445566778899aabbccddeeff", 0, "b1");
	char cti[LP_REG_CTI_MAX + 1];
	bool seen;
	cr_assert_eq(lp_register_batch_seen(r, "b1", &seen, cti), LP_OK);
	cr_assert_not(seen);
	cr_assert_eq(lp_register_cred_add(r, &c), LP_OK);
	cr_assert_eq(lp_register_batch_seen(r, "b1", &seen, cti), LP_OK);
	cr_assert(seen);
	cr_assert_str_eq(cti, c.cti);
	c = cred("10112233445566778899aabbccddeeff", 1, "b1");
	cr_assert_eq(lp_register_cred_add(r, &c), LP_ERR_EXISTS);
	lp_register_close(r);
}

Test(reg, status_alloc_and_rollback)
{
	lp_register *r = fresh();
	uint64_t a, b, n, size;
	cr_assert_eq(lp_register_status_alloc(r, &a), LP_OK);
	cr_assert_eq(lp_register_status_alloc_n(r, 100, &b), LP_OK);
	cr_assert_eq(a, 0);
	cr_assert_eq(b, 1);
	cr_assert_eq(lp_register_begin(r), LP_OK);
	cr_assert_eq(lp_register_status_alloc(r, &a), LP_OK);
	cr_assert_eq(a, 101);
	lp_reg_cred c = cred("00112233445566778899aabbccddeeff", a, "");
	cr_assert_eq(lp_register_cred_add(r, &c), LP_OK);
	lp_register_rollback(r);
	cr_assert_eq(lp_register_counts(r, &n, &size), LP_OK);
	cr_assert_eq(n, 0, "rolled-back credential still recorded");
	cr_assert_eq(size, 101);
	lp_register_close(r);
}

Test(reg, module_double_count)
{
	lp_register *r = fresh();
	char by[LP_REG_CTI_MAX + 1];
	cr_assert_eq(lp_register_module_use(r, "https://a.example", "aa", "c1", by), LP_OK);
	cr_assert_eq(lp_register_module_use(r, "https://b.example", "aa", "c1", by), LP_OK);
	cr_assert_eq(lp_register_module_use(r, "https://a.example", "aa", "c2", by), LP_ERR_EXISTS);
	cr_assert_str_eq(by, "c1");
	lp_register_close(r);
}

Test(reg, locked_by_other_connection)
{
	lp_register *a = fresh(), *b;
	uint64_t i;
	cr_assert_eq(lp_register_open(path, &b), LP_OK);
	lp_register_set_timeout(b, 50);
	cr_assert_eq(lp_register_begin(a), LP_OK);
	cr_assert_eq(lp_register_begin(b), LP_ERR_LOCKED);
	cr_assert_eq(lp_register_status_alloc(b, &i), LP_ERR_LOCKED);
	lp_register_rollback(a);
	cr_assert_eq(lp_register_status_alloc(b, &i), LP_OK);
	lp_register_close(a);
	lp_register_close(b);
}

Test(reg, bounded_fields)
{
	lp_register *r = fresh();
	lp_reg_cred c = cred("00112233445566778899aabbccddeeff", 0, "");
	memset(c.learner, 'x', LP_REG_REF_MAX);
	c.learner[LP_REG_REF_MAX] = '\0';
	cr_assert_eq(lp_register_cred_add(r, &c), LP_OK);
	c = cred("", 1, "");
	cr_assert_eq(lp_register_cred_add(r, &c), LP_ERR_ARG);
	lp_register_close(r);
}
