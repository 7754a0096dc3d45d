/* End-to-end tests of leerpas-wallet: the built program run as a learner
 * would, with passphrase files and, for the prompts, a pseudo-terminal.
 * A small school is simulated here with the library (request check and
 * SD-CWT issuance), so that these tests depend on nothing but the wallet
 * program. Presentations are verified with the library's verifier and a PNG
 * is read back with zbarimg. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sched.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>

#include "leerpas/codec.h"
#include "leerpas/fileio.h"
#include "leerpas/request.h"
#include "leerpas/status.h"
#include "leerpas/sdcwt.h"
#include "leerpas/trust.h"
#include "leerpas/wallet.h"

#define BIN LP_BINARY_DIR "/leerpas-wallet"
#define ISS "https://roc-voorbeeld.nl"
#define FAST "--kdf-ops 1 --kdf-mem-mib 8"

static char T[64];      /* this test's directory */
static char W[160];     /* the wallet */
static char PW[160];    /* its passphrase file */
static char COMMON[400]; /* --wallet W --passphrase-file PW */

static const char CLAIMS[] =
	"{\"title\":\"Basis Python\",\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's in Python\","
	"\"gebruikt lijsten, functies en bestanden\"],\"creditPoint\":2.5,\"workload\":70,"
	"\"eqfLevel\":4,\"nqfLevel\":4,\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\","
	"\"accreditation\":\"NRTO-keurmerk\",\"awardingDate\":\"2026-06-30\","
	"\"fullName\":\"Sanne de Vries\",\"dateOfBirth\":\"2004-02-29\",\"studentId\":\"123456\","
	"\"grade\":\"8,1\",\"assessmentDetails\":\"examen 12 mei, praktijkopdracht\"}";

/* the school */
static uint8_t school_pk[32], school_sk[64];

static void write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(s, f);
	fclose(f);
	chmod(path, 0600);
}

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	strcpy(T, "/tmp/lp-cliw-XXXXXX");
	cr_assert_not_null(mkdtemp(T));
	snprintf(W, sizeof W, "%s/w.lpw", T);
	snprintf(PW, sizeof PW, "%s/pw", T);
	snprintf(COMMON, sizeof COMMON, "--wallet %s --passphrase-file %s", W, PW);
	write_text(PW, "correct horse battery staple\n");
	crypto_sign_keypair(school_pk, school_sk);
	setenv("XDG_DATA_HOME", T, 1);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", T);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", T);
}

TestSuite(cli_wallet, .init = setup, .fini = teardown, .timeout = 300);

/* Run the wallet with the given arguments; stdout to T/out, stderr to
 * T/err, stdin from /dev/null. Returns the exit status. */
static int run(const char *fmt, ...)
{
	char args[2048], cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "cd %s && %s %s >%s/out 2>%s/err </dev/null", T, BIN, args, T, T);
	int st = system(cmd);
	cr_assert(WIFEXITED(st), "%s did not exit normally", args);
	return WEXITSTATUS(st);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	size_t k;
	while ((k = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (cap - n < 2) {
			cap *= 2;
			b = realloc(b, cap);
		}
	}
	b[n] = '\0';
	fclose(f);
	return b;
}

static char *out(void)
{
	char p[128];
	snprintf(p, sizeof p, "%s/out", T);
	return slurp(p);
}

static char *err(void)
{
	char p[128];
	snprintf(p, sizeof p, "%s/err", T);
	return slurp(p);
}

#define ASSERT_OUT_HAS(s)                                                            \
	do {                                                                         \
		char *o_ = out();                                                    \
		cr_assert(o_ && strstr(o_, s), "stdout lacks \"%s\":\n%s", s, o_ ? o_ : ""); \
		free(o_);                                                            \
	} while (0)
#define ASSERT_ERR_HAS(s)                                                            \
	do {                                                                         \
		char *e_ = err();                                                    \
		cr_assert(e_ && strstr(e_, s), "stderr lacks \"%s\":\n%s", s, e_ ? e_ : ""); \
		free(e_);                                                            \
	} while (0)

/* init with the fast KDF; returns the recovery key (static buffer). */
static const char *init_wallet(void)
{
	static char key[64];
	cr_assert_eq(run("init %s %s --json", COMMON, FAST), 0);
	char *o = out();
	json_t *j = json_loads(o, 0, NULL);
	cr_assert_not_null(j, "%s", o);
	snprintf(key, sizeof key, "%s", json_string_value(json_object_get(j, "recovery_key")));
	json_decref(j);
	free(o);
	cr_assert_eq(strlen(key), 47);
	return key;
}

static lp_buf read_file(const char *path)
{
	lp_buf b;
	cr_assert_eq(lp_file_read(path, 1u << 26, &b), LP_OK, "%s", path);
	return b;
}

static bool same_file(const char *path, const lp_buf *b)
{
	lp_buf x;
	if (lp_file_read(path, 1u << 26, &x) != LP_OK)
		return false;
	bool same = x.len == b->len && memcmp(x.ptr, b->ptr, x.len) == 0;
	lp_buf_free(&x);
	return same;
}

/* ---- the simulated school ------------------------------------------------ */

/* Issue one copy per key of the request at reqpath into credpath (one
 * SD-CWT, or a CBOR array of byte strings for several copies). */
static void school_issue(const char *reqpath, const char *credpath, const uint8_t *sk)
{
	lp_buf req = read_file(reqpath);
	lp_request_policy pol;
	memset(&pol, 0, sizeof pol);
	pol.school_id = ISS;
	pol.now = (int64_t)time(NULL);
	lp_request r;
	lp_diag d;
	cr_assert_eq(lp_request_check(lp_buf_view(&req), &pol, &r, NULL, &d), LP_OK, "%s", d.msg);
	lp_buf copies[LP_WALLET_MAX_COPIES];
	for (size_t i = 0; i < r.n_keys; i++) {
		lp_sdcwt_issue_params p;
		lp_pubkey holder;
		lp_sdcwt_issue_params_init(&p);
		lp_pubkey_ed25519(&holder, r.keys[i]);
		p.iss = ISS;
		p.kid = (const uint8_t *)"k1";
		p.kid_len = 2;
		p.vct = "microcredential";
		p.iat = pol.now - 60;
		p.holder = &holder;
		p.has_status = true;
		p.status_idx = 42;
		p.status_uri = ISS "/status.cwt";
		p.claims_json = CLAIMS;
		p.claims_json_len = strlen(CLAIMS);
		cr_assert_eq(lp_sdcwt_issue(&p, sk ? sk : school_sk, &copies[i], NULL, &d), LP_OK, "%s",
			     d.msg);
	}
	if (r.n_keys == 1) {
		cr_assert_eq(lp_file_write_atomic(credpath, lp_buf_view(&copies[0]), 0644, 0), LP_OK);
	} else {
		/* CBOR array of byte strings */
		size_t total = 16;
		for (size_t i = 0; i < r.n_keys; i++)
			total += copies[i].len + 9;
		uint8_t *b = malloc(total), *p = b;
		*p++ = (uint8_t)(0x80 | r.n_keys);
		for (size_t i = 0; i < r.n_keys; i++) {
			size_t n = copies[i].len;
			cr_assert_lt(n, 65536);
			if (n < 256) {
				*p++ = 0x58;
				*p++ = (uint8_t)n;
			} else {
				*p++ = 0x59;
				*p++ = (uint8_t)(n >> 8);
				*p++ = (uint8_t)n;
			}
			memcpy(p, copies[i].ptr, n);
			p += n;
		}
		cr_assert_eq(lp_file_write_atomic(credpath, lp_view_of(b, (size_t)(p - b)), 0644, 0), LP_OK);
		free(b);
	}
	for (size_t i = 0; i < r.n_keys; i++)
		lp_buf_free(&copies[i]);
	lp_request_free(&r);
	lp_buf_free(&req);
}

/* The school's public description (for --issuer-key). */
static void school_describe(const char *path, const uint8_t pk[32])
{
	lp_pubkey k;
	lp_pubkey_ed25519(&k, pk);
	lp_issuer_key_entry e = { "k1", &k, 1700000000, 0 };
	lp_issuer_desc_params p;
	memset(&p, 0, sizeof p);
	p.id = ISS;
	p.name = "ROC Voorbeeld";
	p.country = "NL";
	p.keys = &e;
	p.n_keys = 1;
	lp_buf b;
	cr_assert_eq(lp_issuer_desc_write(&p, &b), LP_OK);
	cr_assert_eq(lp_file_write_atomic(path, lp_buf_view(&b), 0644, 0), LP_OK);
	lp_buf_free(&b);
}

/* init, request N copies, issue, import: the wallet holds "basis-python". */
static const char *wallet_with_credential(size_t copies)
{
	const char *key = init_wallet();
	cr_assert_eq(run("request %s --issuer %s --copies %zu --out req.cbor", COMMON, ISS, copies), 0);
	char req[160], cred[160];
	snprintf(req, sizeof req, "%s/req.cbor", T);
	snprintf(cred, sizeof cred, "%s/cred.cwt", T);
	school_issue(req, cred, NULL);
	cr_assert_eq(run("import %s cred.cwt", COMMON), 0);
	ASSERT_OUT_HAS("as basis-python");
	return key;
}

static lp_err resolve_school(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len, int64_t alg,
			     const char *vct, bool has_iat, int64_t iat, lp_pubkey *key, lp_diag *d)
{
	(void)ctx, (void)iss, (void)kid, (void)kid_len, (void)alg, (void)vct, (void)has_iat, (void)iat,
		(void)d;
	lp_pubkey_ed25519(key, school_pk);
	return LP_OK;
}

/* Verify an LP1 text as a verifier would; returns the disclosed claims JSON
 * (malloc'd) or NULL with *e set. */
static char *verify_text(const char *text, const char *aud, const char *chal, lp_err *e)
{
	lp_buf pres;
	lp_diag d;
	*e = lp_qrtext_decode(lp_view_of((const uint8_t *)text, strlen(text)), 0, &pres, &d);
	if (*e != LP_OK)
		return NULL;
	lp_sdcwt_verify_params vp;
	memset(&vp, 0, sizeof vp);
	vp.resolve = resolve_school;
	vp.now = (int64_t)time(NULL);
	vp.skew = 300;
	vp.aud = aud;
	if (chal) {
		vp.cnonce = (const uint8_t *)chal;
		vp.cnonce_len = strlen(chal);
	}
	lp_sdcwt_result r;
	*e = lp_sdcwt_verify(lp_buf_view(&pres), &vp, &r);
	char *claims = *e == LP_OK && r.claims_json ? strdup(r.claims_json) : NULL;
	lp_sdcwt_result_free(&r);
	lp_buf_free(&pres);
	return claims;
}

/* ---- a pseudo-terminal session ------------------------------------------- */

struct pty {
	pid_t pid;
	int fd;
	char slave[128];
	char buf[65536];
	size_t len;
};

static void pty_start(struct pty *p, const char *args)
{
	memset(p, 0, sizeof *p);
	p->pid = forkpty(&p->fd, p->slave, NULL, NULL);
	cr_assert_geq(p->pid, 0);
	if (p->pid == 0) {
		char cmd[2048];
		snprintf(cmd, sizeof cmd, "cd %s && exec %s %s", T, BIN, args);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
}

/* Read until s appears in the output (30 s at most); true if it did. */
static bool pty_expect(struct pty *p, const char *s)
{
	for (int rounds = 0; rounds < 300; rounds++) {
		p->buf[p->len] = '\0';
		if (strstr(p->buf, s))
			return true;
		struct pollfd pf = { p->fd, POLLIN, 0 };
		int r = poll(&pf, 1, 100);
		if (r < 0 && errno != EINTR)
			return false;
		if (r <= 0)
			continue;
		ssize_t n = read(p->fd, p->buf + p->len, sizeof p->buf - 1 - p->len);
		if (n <= 0) {
			p->buf[p->len] = '\0';
			return strstr(p->buf, s) != NULL;
		}
		p->len += (size_t)n;
	}
	return false;
}

/* Wait until the program has switched the terminal's echo off (it writes
 * its prompt first, so a fast typist could otherwise be echoed). */
static void pty_wait_noecho(struct pty *p)
{
	int fd = open(p->slave, O_RDWR | O_NOCTTY);
	cr_assert_geq(fd, 0);
	struct termios t;
	for (long i = 0; i < 200000000L; i++) {
		cr_assert_eq(tcgetattr(fd, &t), 0);
		if (!(t.c_lflag & ECHO))
			break;
		sched_yield();
	}
	close(fd);
	cr_assert(!(t.c_lflag & ECHO), "echo switched off for the passphrase");
}

static void pty_send(struct pty *p, const char *s)
{
	cr_assert_eq(write(p->fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Read to the end and return the exit status. */
static int pty_finish(struct pty *p)
{
	pty_expect(p, "\x01never\x01");
	int st;
	cr_assert_eq(waitpid(p->pid, &st, 0), p->pid);
	close(p->fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* ---- tests ------------------------------------------------------------------ */

Test(cli_wallet, help_for_every_command)
{
	const char *cmds[] = { "init", "request", "import", "list", "show", "present", "log",
			       "export", "backup", "restore", "recover", "passwd", "remove", "status" };
	cr_assert_eq(run("--help"), 0);
	ASSERT_OUT_HAS("Usage: leerpas-wallet");
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		cr_assert_eq(run("%s --help", cmds[i]), 0, "%s", cmds[i]);
		ASSERT_OUT_HAS("Usage: leerpas-wallet");
	}
	cr_assert_eq(run("frobnicate"), 2);
	ASSERT_ERR_HAS("unknown command");
	cr_assert_eq(run(""), 2);
	cr_assert_eq(run("list --bogus"), 2);
	ASSERT_ERR_HAS("unknown option '--bogus'");
	cr_assert_eq(run("list --wallet"), 2);
	ASSERT_ERR_HAS("needs a value");
}

Test(cli_wallet, init_prints_recovery_key_once_and_never_overwrites)
{
	cr_assert_eq(run("init %s %s", COMMON, FAST), 0);
	ASSERT_OUT_HAS("RECOVERY KEY");
	char *o = out();
	/* 8 groups of 5 separated by dashes */
	char *k = strstr(o, "    ") + 4;
	for (int i = 0; i < 47; i++)
		cr_assert(i % 6 == 5 ? k[i] == '-' : isalnum((unsigned char)k[i]), "%s", o);
	free(o);
	struct stat st;
	cr_assert_eq(stat(W, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	lp_buf before = read_file(W);
	cr_assert_eq(run("init %s %s", COMMON, FAST), 2);
	ASSERT_ERR_HAS("never overwritten");
	cr_assert(same_file(W, &before));
	lp_buf_free(&before);
	/* a passphrase that is too short is refused, nothing written */
	write_text(PW, "short\n");
	char w2[200];
	snprintf(w2, sizeof w2, "%s/w2.lpw", T);
	cr_assert_eq(run("init --wallet %s --passphrase-file %s %s", w2, PW, FAST), 2);
	ASSERT_ERR_HAS("shorter than 8");
	cr_assert_neq(access(w2, F_OK), 0);
	cr_assert_eq(run("init %s --kdf-ops 0", COMMON), 2);
	cr_assert_eq(run("init %s --kdf-mem-mib 1", COMMON), 2);
}

Test(cli_wallet, default_wallet_path_follows_xdg_then_home)
{
	cr_assert_eq(run("init --passphrase-file %s %s", PW, FAST), 0);
	char p[200];
	snprintf(p, sizeof p, "%s/leerpas/wallet.lpw", T);
	cr_assert_eq(access(p, R_OK), 0, "wallet under $XDG_DATA_HOME/leerpas");
	cr_assert_eq(run("list --passphrase-file %s", PW), 0);
	ASSERT_OUT_HAS("empty");
	unsetenv("XDG_DATA_HOME");
	char home[100];
	snprintf(home, sizeof home, "%s/home", T);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	cr_assert_eq(run("init --passphrase-file %s %s", PW, FAST), 0);
	snprintf(p, sizeof p, "%.100s/.local/share/leerpas/wallet.lpw", home);
	cr_assert_eq(access(p, R_OK), 0, "wallet under ~/.local/share/leerpas");
	struct stat st;
	snprintf(p, sizeof p, "%.100s/.local/share/leerpas", home);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
}

Test(cli_wallet, init_on_a_terminal_asks_twice_with_echo_off)
{
	struct pty p;
	char args[400];
	snprintf(args, sizeof args, "init --wallet %s %s", W, FAST);
	pty_start(&p, args);
	cr_assert(pty_expect(&p, "New wallet passphrase: "), "%s", p.buf);
	pty_wait_noecho(&p);
	pty_send(&p, "tulpen in de wind\n");
	cr_assert(pty_expect(&p, "Repeat the passphrase: "), "%s", p.buf);
	pty_wait_noecho(&p);
	pty_send(&p, "tulpen in de wind\n");
	cr_assert(pty_expect(&p, "RECOVERY KEY"), "%s", p.buf);
	cr_assert_eq(pty_finish(&p), 0, "%s", p.buf);
	cr_assert_null(strstr(p.buf, "tulpen"), "the passphrase was echoed:\n%s", p.buf);
	write_text(PW, "tulpen in de wind\n");
	cr_assert_eq(run("list %s", COMMON), 0);

	/* two different answers: refused, no wallet */
	char w2[200];
	snprintf(w2, sizeof w2, "%s/w2.lpw", T);
	snprintf(args, sizeof args, "init --wallet %s %s", w2, FAST);
	pty_start(&p, args);
	cr_assert(pty_expect(&p, "New wallet passphrase: "));
	pty_wait_noecho(&p);
	pty_send(&p, "tulpen in de wind\n");
	cr_assert(pty_expect(&p, "Repeat the passphrase: "));
	pty_wait_noecho(&p);
	pty_send(&p, "tulpen in de wint\n");
	cr_assert(pty_expect(&p, "differ"), "%s", p.buf);
	cr_assert_eq(pty_finish(&p), 2);
	cr_assert_neq(access(w2, F_OK), 0);
}

Test(cli_wallet, request_import_list_show)
{
	wallet_with_credential(2);
	ASSERT_OUT_HAS("(2 copies)");
	ASSERT_OUT_HAS("fullName");
	ASSERT_OUT_HAS("not checked");
	cr_assert_eq(run("list %s", COMMON), 0);
	ASSERT_OUT_HAS("basis-python");
	ASSERT_OUT_HAS("Basis Python");
	ASSERT_OUT_HAS(ISS);
	ASSERT_OUT_HAS("EQF 4");
	ASSERT_OUT_HAS("2.5 ECTS");
	ASSERT_OUT_HAS("2026-06-30");
	ASSERT_OUT_HAS("status: not checked; copies: 2 (2 unused)");
	cr_assert_eq(run("list %s --json", COMMON), 0);
	char *o = out();
	json_t *j = json_loads(o, 0, NULL);
	cr_assert(json_is_array(j) && json_array_size(j) == 1, "%s", o);
	json_t *c = json_array_get(j, 0);
	cr_assert_str_eq(json_string_value(json_object_get(c, "id")), "basis-python");
	cr_assert_eq(json_integer_value(json_object_get(c, "eqfLevel")), 4);
	cr_assert_eq(json_integer_value(json_object_get(c, "unusedCopies")), 2);
	json_decref(j);
	free(o);
	cr_assert_eq(run("show basis %s", COMMON), 0, "a unique prefix is enough");
	ASSERT_OUT_HAS("Sanne de Vries");
	ASSERT_OUT_HAS("Always shown to a verifier:");
	ASSERT_OUT_HAS("Grade [grade]: 8,1");
	ASSERT_OUT_HAS("Learning outcomes: schrijft kleine programma's in Python; gebruikt");
	cr_assert_eq(run("show basis-python %s --json", COMMON), 0);
	o = out();
	j = json_loads(o, 0, NULL);
	cr_assert_not_null(j, "%s", o);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "youChoose"), "grade")), "8,1");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "alwaysShown"), "title")),
			 "Basis Python");
	json_decref(j);
	free(o);
	cr_assert_eq(run("show nothing-like-it %s", COMMON), 2);
	ASSERT_ERR_HAS("no credential 'nothing-like-it'");
}

Test(cli_wallet, import_checks_the_school_signature_with_issuer_key)
{
	init_wallet();
	cr_assert_eq(run("request %s --issuer %s --out req.cbor", COMMON, ISS), 0);
	char req[160], cred[160], desc[160], other[160];
	snprintf(req, sizeof req, "%s/req.cbor", T);
	snprintf(cred, sizeof cred, "%s/cred.cwt", T);
	snprintf(desc, sizeof desc, "%s/school.json", T);
	snprintf(other, sizeof other, "%s/other.json", T);
	school_issue(req, cred, NULL);
	school_describe(desc, school_pk);
	uint8_t opk[32], osk[64];
	crypto_sign_keypair(opk, osk);
	school_describe(other, opk);
	lp_buf before = read_file(W);
	cr_assert_eq(run("import %s cred.cwt --issuer-key other.json", COMMON), 1);
	ASSERT_ERR_HAS("signature");
	cr_assert(same_file(W, &before), "nothing stored on a failed import");
	cr_assert_eq(run("import %s cred.cwt --issuer-key school.json --id mijn-python", COMMON), 0);
	ASSERT_OUT_HAS("signature was checked");
	ASSERT_OUT_HAS("as mijn-python");
	cr_assert_eq(run("import %s cred.cwt --issuer-key nope.json", COMMON), 2);
	lp_buf_free(&before);
}

Test(cli_wallet, import_refuses_what_does_not_check_out)
{
	wallet_with_credential(1);
	lp_buf before = read_file(W);
	/* the same credential again */
	cr_assert_eq(run("import %s cred.cwt", COMMON), 2);
	ASSERT_ERR_HAS("already in your wallet as 'basis-python'");
	/* a corrected credential from the school for the same request */
	char req[200], again[200];
	snprintf(req, sizeof req, "%s/req.cbor", T);
	snprintf(again, sizeof again, "%s/again.cwt", T);
	school_issue(req, again, NULL);
	cr_assert_eq(run("import %s again.cwt", COMMON), 2);
	ASSERT_ERR_HAS("bound to the same key as 'basis-python'");
	ASSERT_ERR_HAS("remove the old one first");
	/* bound to another wallet's key */
	char w2[200], req2[200], cred2[200];
	snprintf(w2, sizeof w2, "%s/w2.lpw", T);
	snprintf(req2, sizeof req2, "%s/req2.cbor", T);
	snprintf(cred2, sizeof cred2, "%s/cred2.cwt", T);
	cr_assert_eq(run("init --wallet %s --passphrase-file %s %s", w2, PW, FAST), 0);
	cr_assert_eq(run("request --wallet %s --passphrase-file %s --issuer %s --out req2.cbor", w2, PW, ISS), 0);
	school_issue(req2, cred2, NULL);
	cr_assert_eq(run("import %s cred2.cwt", COMMON), 1);
	ASSERT_ERR_HAS("not in this wallet");
	/* a disclosure changed after signing */
	lp_buf c = read_file(cred2);
	cr_assert_eq(run("import --wallet %s --passphrase-file %s cred2.cwt", w2, PW), 0);
	char bad[200];
	snprintf(bad, sizeof bad, "%s/bad.cwt", T);
	const char *name = "Sanne de Vries";
	uint8_t *hit = NULL;
	for (size_t i = 0; i + strlen(name) <= c.len && !hit; i++)
		if (memcmp(c.ptr + i, name, strlen(name)) == 0)
			hit = c.ptr + i;
	cr_assert_not_null(hit);
	hit[0] = 'T';
	cr_assert_eq(lp_file_write_atomic(bad, lp_buf_view(&c), 0644, 0), LP_OK);
	cr_assert_eq(run("import %s bad.cwt", COMMON), 1);
	ASSERT_ERR_HAS("matches no digest");
	/* not a credential at all, an empty file, a missing file */
	write_text(bad, "hello");
	cr_assert_eq(run("import %s bad.cwt", COMMON), 2);
	ASSERT_ERR_HAS("not a credential file");
	write_text(bad, "");
	cr_assert_eq(run("import %s bad.cwt", COMMON), 2);
	cr_assert_eq(run("import %s missing.cwt", COMMON), 2);
	ASSERT_ERR_HAS("missing.cwt");
	cr_assert_eq(run("import %s", COMMON), 2);
	cr_assert(same_file(W, &before), "the wallet is unchanged by refused imports");
	lp_buf_free(&c);
	lp_buf_free(&before);
}

Test(cli_wallet, present_text_verifies_and_reveals_only_what_was_chosen)
{
	wallet_with_credential(1);
	cr_assert_eq(run("present basis-python %s --show fullName,grade --audience https://werkgever.nl "
			 "--challenge 'q7x2-9klm o4tr' --text",
			 COMMON),
		     0);
	ASSERT_ERR_HAS("The verifier will see:");
	ASSERT_ERR_HAS("Name: Sanne de Vries");
	ASSERT_ERR_HAS("Grade: 8,1");
	ASSERT_ERR_HAS("Not shown: Date of birth, Learner number, Assessment details");
	ASSERT_ERR_HAS("QR version");
	char *o = out();
	cr_assert_eq(strncmp(o, "LP1:", 4), 0, "%s", o);
	o[strcspn(o, "\n")] = '\0';
	lp_err e;
	/* the code as typed is read as leerpas-verifier normalises it (L is 1) */
	char *claims = verify_text(o, "https://werkgever.nl", "Q7X29K1M04TR", &e);
	cr_assert_eq(e, LP_OK, "%s", lp_err_str(e));
	cr_assert(strstr(claims, "\"fullName\":\"Sanne de Vries\""), "%s", claims);
	cr_assert(strstr(claims, "\"grade\":\"8,1\""), "%s", claims);
	cr_assert(strstr(claims, "\"title\":\"Basis Python\""), "%s", claims);
	cr_assert_null(strstr(claims, "123456"), "%s", claims);
	cr_assert_null(strstr(claims, "2004-02-29"), "%s", claims);
	cr_assert_null(strstr(claims, "examen 12 mei"), "%s", claims);
	free(claims);
	/* another verifier or another challenge: refused */
	claims = verify_text(o, "https://elders.nl", "Q7X29K1M04TR", &e);
	cr_assert_eq(e, LP_ERR_AUDIENCE);
	free(claims);
	claims = verify_text(o, "https://werkgever.nl", "other", &e);
	cr_assert_eq(e, LP_ERR_NONCE);
	free(claims);
	free(o);
	/* names by label and --show none; without --audience: the walk-up audience */
	cr_assert_eq(run("present basis %s --show none --text", COMMON), 0);
	o = out();
	o[strcspn(o, "\n")] = '\0';
	claims = verify_text(o, LP_WALLET_AUD_WALKUP, NULL, &e);
	cr_assert_eq(e, LP_OK);
	cr_assert_null(strstr(claims, "Sanne"));
	free(claims);
	free(o);
	cr_assert_eq(run("present basis %s --show 'learner number' --text", COMMON), 0);
	o = out();
	o[strcspn(o, "\n")] = '\0';
	claims = verify_text(o, LP_WALLET_AUD_WALKUP, NULL, &e);
	cr_assert(strstr(claims, "123456"));
	free(claims);
	free(o);
}

Test(cli_wallet, present_png_reads_back_with_zbarimg_svg_and_terminal)
{
	wallet_with_credential(1);
	cr_assert_eq(run("present basis-python %s --show fullName,grade --qr-png p.png --qr-svg p.svg --json",
			 COMMON),
		     0);
	char *o = out();
	json_t *j = json_loads(o, 0, NULL);
	cr_assert_not_null(j, "%s", o);
	const char *text = json_string_value(json_object_get(j, "text"));
	cr_assert_not_null(text);
	cr_log_info("name+grade presentation: %zu characters, QR version %lld at ECC M",
		    strlen(text), (long long)json_integer_value(json_object_get(j, "qrVersion")));
	char cmd[400];
	snprintf(cmd, sizeof cmd, "zbarimg --raw -q %s/p.png > %s/zbar.txt", T, T);
	cr_assert_eq(system(cmd), 0, "zbarimg found no code");
	snprintf(cmd, sizeof cmd, "%s/zbar.txt", T);
	char *z = slurp(cmd);
	z[strcspn(z, "\n")] = '\0';
	cr_assert_str_eq(z, text, "the PNG reads back to the exact LP1 text");
	free(z);
	lp_err e;
	char *claims = verify_text(text, LP_WALLET_AUD_WALKUP, NULL, &e);
	cr_assert_eq(e, LP_OK);
	free(claims);
	snprintf(cmd, sizeof cmd, "%s/p.svg", T);
	char *svg = slurp(cmd);
	cr_assert(svg && strstr(svg, "<svg"), "an SVG");
	free(svg);
	json_decref(j);
	free(o);
	cr_assert_eq(run("present basis-python %s --show grade --qr-terminal", COMMON), 0);
	o = out();
	cr_assert(strstr(o, "\xe2\x96"), "block characters drawn");
	cr_assert_gt(strlen(o), 1000);
	free(o);
}

Test(cli_wallet, present_uses_unused_copies_first_and_says_when_they_run_out)
{
	wallet_with_credential(2);
	cr_assert_eq(run("present basis-python %s --show grade --json", COMMON), 0);
	char *o = out();
	json_t *j = json_loads(o, 0, NULL);
	cr_assert_eq(json_integer_value(json_object_get(j, "copy")), 1);
	cr_assert_eq(json_integer_value(json_object_get(j, "unusedCopies")), 1);
	json_decref(j);
	free(o);
	cr_assert_eq(run("present basis-python %s --show grade --json", COMMON), 0);
	o = out();
	j = json_loads(o, 0, NULL);
	cr_assert_eq(json_integer_value(json_object_get(j, "copy")), 2);
	cr_assert_eq(json_integer_value(json_object_get(j, "unusedCopies")), 0);
	json_decref(j);
	free(o);
	ASSERT_ERR_HAS("last unused copy");
	cr_assert_eq(run("present basis-python %s --show grade --text", COMMON), 0);
	ASSERT_ERR_HAS("were used before");
	cr_assert_eq(run("show basis-python %s", COMMON), 0);
	ASSERT_OUT_HAS("copy 1: used 2 times");
	ASSERT_OUT_HAS("copy 2: used 1 time");
}

Test(cli_wallet, present_shows_preview_and_asks_on_a_terminal)
{
	wallet_with_credential(1);
	struct pty p;
	char args[600];
	snprintf(args, sizeof args, "present basis-python --wallet %s --show name,grade --text", W);
	pty_start(&p, args);
	cr_assert(pty_expect(&p, "Wallet passphrase: "), "%s", p.buf);
	pty_wait_noecho(&p);
	pty_send(&p, "correct horse battery staple\n");
	cr_assert(pty_expect(&p, "Make this presentation? [y/N]"), "%s", p.buf);
	cr_assert(strstr(p.buf, "The verifier will see:"), "%s", p.buf);
	cr_assert(strstr(p.buf, "Name: Sanne de Vries"), "%s", p.buf);
	cr_assert(strstr(p.buf, "Title: Basis Python"), "%s", p.buf);
	/* while it waits, the wallet is in use: another program is refused */
	cr_assert_eq(run("list %s", COMMON), 2);
	ASSERT_ERR_HAS("in use by another program");
	pty_send(&p, "n\n");
	cr_assert_eq(pty_finish(&p), 1);
	cr_assert(strstr(p.buf, "Nothing was made"), "%s", p.buf);
	cr_assert_null(strstr(p.buf, "LP1:"));
	cr_assert_null(strstr(p.buf, "correct horse"), "passphrase echoed");
	cr_assert_eq(run("log %s", COMMON), 0);
	ASSERT_OUT_HAS("No presentations yet");

	pty_start(&p, args);
	cr_assert(pty_expect(&p, "Wallet passphrase: "));
	pty_wait_noecho(&p);
	pty_send(&p, "correct horse battery staple\n");
	cr_assert(pty_expect(&p, "[y/N]"));
	pty_send(&p, "y\n");
	cr_assert(pty_expect(&p, "LP1:"), "%s", p.buf);
	cr_assert_eq(pty_finish(&p), 0);
	cr_assert_eq(run("log %s", COMMON), 0);
	ASSERT_OUT_HAS("revealed: Name, Grade");
}

Test(cli_wallet, present_bad_input)
{
	wallet_with_credential(1);
	lp_buf before = read_file(W);
	cr_assert_eq(run("present basis-python %s --show shoesize --text", COMMON), 2);
	ASSERT_ERR_HAS("has no claim 'shoesize'; you can choose from: fullName");
	cr_assert_eq(run("present nope %s --show grade --text", COMMON), 2);
	ASSERT_ERR_HAS("no credential 'nope'");
	cr_assert_eq(run("present basis-python %s --text", COMMON), 2);
	ASSERT_ERR_HAS("--show");
	cr_assert_eq(run("present %s --show grade", COMMON), 2);
	cr_assert_eq(run("present basis-python %s --show grade --challenge "
			 "0123456789012345678901234567890123456789012345678901234567890123456789",
			 COMMON),
		     2);
	cr_assert_eq(run("present basis-python %s --show grade --qr-png /nonexistent-dir/x.png", COMMON), 2);
	ASSERT_ERR_HAS("x.png");
	/* only the failed PNG run was logged (it was made before the write failed) */
	lp_buf_free(&before);
}

Test(cli_wallet, log_lists_every_presentation)
{
	wallet_with_credential(1);
	cr_assert_eq(run("present basis-python %s --show fullName --audience https://a.nl --text", COMMON), 0);
	cr_assert_eq(run("present basis-python %s --show grade --challenge ABC --text", COMMON), 0);
	cr_assert_eq(run("log %s", COMMON), 0);
	ASSERT_OUT_HAS("to: https://a.nl");
	ASSERT_OUT_HAS("revealed: Name");
	ASSERT_OUT_HAS("anyone who scanned it, challenge ABC");
	cr_assert_eq(run("present basis-python %s --show grade --challenge 'n0nce_with/other+chars' --text", COMMON), 0);
	char *o0 = out();
	o0[strcspn(o0, "\n")] = '\0';
	lp_err e0;
	char *c0 = verify_text(o0, LP_WALLET_AUD_WALKUP, "n0nce_with/other+chars", &e0);
	cr_assert_eq(e0, LP_OK, "a challenge that is not a typed code is carried as is");
	free(c0);
	free(o0);
	cr_assert_eq(run("log %s --json", COMMON), 0);
	char *o = out();
	json_t *j = json_loads(o, 0, NULL);
	cr_assert_eq(json_array_size(j), 3);
	json_t *l = json_array_get(j, 0);
	cr_assert_str_eq(json_string_value(json_object_get(l, "audience")), "https://a.nl");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(l, "disclosed"), 0)), "fullName");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "challenge")), "ABC");
	json_decref(j);
	free(o);
}

/* The holder secret keys, read with the library. */
static size_t holder_secrets(uint8_t sks[][64], size_t max)
{
	lp_wallet *w = NULL;
	lp_buf pw = read_file(PW);
	size_t n = pw.len;
	while (n && pw.ptr[n - 1] == '\n')
		n--;
	cr_assert_eq(lp_wallet_open(W, lp_view_of(pw.ptr, n), &w, NULL), LP_OK);
	size_t k = lp_wallet_key_count(w);
	for (size_t i = 0; i < k && i < max; i++)
		memcpy(sks[i], lp_wallet_key_at(w, i)->sk, 64);
	lp_wallet_close(w);
	lp_buf_free(&pw);
	return k;
}

static bool contains(const lp_buf *hay, const uint8_t *needle, size_t n)
{
	for (size_t i = 0; i + n <= hay->len; i++)
		if (memcmp(hay->ptr + i, needle, n) == 0)
			return true;
	return false;
}

Test(cli_wallet, export_is_open_json_and_no_secret_key_leaves_the_wallet)
{
	wallet_with_credential(2);
	cr_assert_eq(run("present basis-python %s --show grade --qr-png p.png --json --audience x", COMMON), 0);
	char pres[200];
	snprintf(pres, sizeof pres, "%s/out", T);
	lp_buf presout = read_file(pres);
	cr_assert_eq(run("export %s --out export.json", COMMON), 0);
	char path[200];
	snprintf(path, sizeof path, "%s/export.json", T);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	cr_assert_not_null(j, "%s", je.text);
	json_t *c = json_array_get(json_object_get(j, "credentials"), 0);
	json_t *types = json_object_get(c, "type");
	cr_assert_str_eq(json_string_value(json_array_get(types, 1)), "OpenBadgeCredential");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "issuer"), "id")), ISS);
	json_t *subj = json_object_get(c, "credentialSubject");
	cr_assert_str_eq(json_string_value(json_object_get(subj, "fullName")), "Sanne de Vries");
	json_t *ach = json_object_get(subj, "achievement");
	cr_assert_str_eq(json_string_value(json_object_get(ach, "name")), "Basis Python");
	cr_assert_str_eq(json_string_value(json_object_get(ach, "grade")), "8,1");
	cr_assert_eq(json_integer_value(json_object_get(ach, "eqfLevel")), 4);
	cr_assert_not_null(json_object_get(c, "validFrom"));
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(c, "credentialStatus"),
							"statusListIndex")),
		     42);
	cr_assert_eq(json_array_size(json_object_get(json_object_get(c, "leerpas"), "copies")), 2);
	cr_assert_eq(json_array_size(json_object_get(j, "presentations")), 1);
	json_decref(j);

	/* no holder secret key, raw, hex or base64url, in anything written */
	uint8_t sks[8][64];
	size_t nk = holder_secrets(sks, 8);
	cr_assert_eq(nk, 2);
	lp_buf ex = read_file(path);
	char png[200];
	snprintf(png, sizeof png, "%s/p.png", T);
	lp_buf img = read_file(png);
	for (size_t i = 0; i < nk; i++) {
		char hex[65];
		for (int b = 0; b < 32; b++)
			sprintf(hex + 2 * b, "%02x", sks[i][b]);
		char b64[64];
		sodium_bin2base64(b64, sizeof b64, sks[i], 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		const lp_buf *outs[] = { &ex, &presout, &img };
		for (size_t k = 0; k < 3; k++) {
			cr_assert_not(contains(outs[k], sks[i], 32), "raw secret key in output %zu", k);
			cr_assert_not(contains(outs[k], (const uint8_t *)hex, 16), "hex secret key in output %zu", k);
			cr_assert_not(contains(outs[k], (const uint8_t *)b64, 16), "b64 secret key in output %zu", k);
		}
	}
	cr_assert_eq(run("export %s", COMMON), 2);
	lp_buf_free(&ex);
	lp_buf_free(&img);
	lp_buf_free(&presout);
}

Test(cli_wallet, backup_and_restore)
{
	wallet_with_credential(1);
	cr_assert_eq(run("backup %s --out backup.lpw", COMMON), 0);
	ASSERT_OUT_HAS("encrypted backup");
	cr_assert_eq(run("backup %s --out backup.lpw", COMMON), 2);
	ASSERT_ERR_HAS("never overwritten");
	cr_assert_eq(run("remove basis-python %s --yes", COMMON), 0);
	cr_assert_eq(run("list %s", COMMON), 0);
	ASSERT_OUT_HAS("empty");

	lp_buf before = read_file(W);
	char wrong[200], bak[200];
	snprintf(wrong, sizeof wrong, "%s/wrongpw", T);
	snprintf(bak, sizeof bak, "%s/backup.lpw", T);
	write_text(wrong, "not the passphrase\n");
	cr_assert_eq(run("restore backup.lpw --wallet %s --passphrase-file %s", W, wrong), 1);
	ASSERT_ERR_HAS("nothing was replaced");
	cr_assert(same_file(W, &before));
	/* a damaged backup is refused too */
	lp_buf b = read_file(bak);
	b.ptr[b.len - 5] ^= 0x40;
	char dmg[200];
	snprintf(dmg, sizeof dmg, "%s/damaged.lpw", T);
	cr_assert_eq(lp_file_write_atomic(dmg, lp_buf_view(&b), 0600, 0), LP_OK);
	cr_assert_neq(run("restore damaged.lpw %s", COMMON), 0);
	ASSERT_ERR_HAS("does not open");
	cr_assert(same_file(W, &before));
	cr_assert_eq(run("restore missing.lpw %s", COMMON), 2);

	cr_assert_eq(run("restore backup.lpw %s", COMMON), 0);
	ASSERT_OUT_HAS("kept as");
	cr_assert_eq(run("list %s", COMMON), 0);
	ASSERT_OUT_HAS("basis-python");
	/* restore onto a new machine: no wallet yet, default path */
	cr_assert_eq(run("restore backup.lpw --passphrase-file %s", PW), 0);
	char p[200];
	snprintf(p, sizeof p, "%s/leerpas/wallet.lpw", T);
	cr_assert_eq(access(p, R_OK), 0);
	lp_buf_free(&b);
	lp_buf_free(&before);
}

Test(cli_wallet, recover_with_the_recovery_key_from_a_file)
{
	const char *key = init_wallet();
	char kf[200], np[200];
	snprintf(kf, sizeof kf, "%s/key", T);
	snprintf(np, sizeof np, "%s/newpw", T);
	write_text(np, "een nieuw begin\n");
	/* a typo in group 3 (a swap of two neighbours) is named, nothing changes */
	char typo[64];
	strcpy(typo, key);
	char tmp = typo[12];
	typo[12] = typo[13];
	typo[13] = tmp;
	if (typo[12] == typo[13]) { /* equal neighbours: change one instead */
		typo[12] = typo[12] == 'A' ? 'B' : 'A';
	}
	write_text(kf, typo);
	lp_buf before = read_file(W);
	cr_assert_eq(run("recover --recovery-key-file %s --wallet %s --new-passphrase-file %s", kf, W, np), 2);
	ASSERT_ERR_HAS("group 3");
	cr_assert(same_file(W, &before));
	/* another wallet's key */
	uint8_t other[LP_WALLET_RECOVERY_BYTES];
	char otext[LP_WALLET_RECOVERY_TEXT_SIZE];
	randombytes_buf(other, sizeof other);
	lp_wallet_recovery_format(other, otext);
	write_text(kf, otext);
	cr_assert_eq(run("recover --recovery-key-file %s --wallet %s --new-passphrase-file %s", kf, W, np), 1);
	ASSERT_ERR_HAS("does not open this wallet");
	cr_assert(same_file(W, &before));
	cr_assert_eq(run("recover --wallet %s", W), 2);
	ASSERT_ERR_HAS("--recovery-key");
	/* the right key, typed in lower case without dashes */
	char typed[64];
	size_t n = 0;
	for (size_t i = 0; key[i]; i++)
		if (key[i] != '-')
			typed[n++] = (char)tolower((unsigned char)key[i]);
	typed[n] = '\0';
	write_text(kf, typed);
	cr_assert_eq(run("recover --recovery-key --recovery-key-file %s --wallet %s --new-passphrase-file %s",
			 kf, W, np),
		     0);
	ASSERT_OUT_HAS("new passphrase");
	cr_assert_eq(run("list %s", COMMON), 1, "the old passphrase no longer opens it");
	ASSERT_ERR_HAS("recover --recovery-key");
	cr_assert_eq(run("list --wallet %s --passphrase-file %s", W, np), 0);
	/* the recovery key still works afterwards */
	write_text(kf, key);
	cr_assert_eq(run("recover --recovery-key-file %s --wallet %s --new-passphrase-file %s", kf, W, PW), 0);
	cr_assert_eq(run("list %s", COMMON), 0);
	lp_buf_free(&before);
}

Test(cli_wallet, recover_on_a_terminal)
{
	const char *key = init_wallet();
	struct pty p;
	char args[400];
	snprintf(args, sizeof args, "recover --recovery-key --wallet %s", W);
	pty_start(&p, args);
	cr_assert(pty_expect(&p, "Recovery key: "), "%s", p.buf);
	pty_wait_noecho(&p);
	char typed[80];
	snprintf(typed, sizeof typed, "%s\n", key);
	for (char *c = typed; *c; c++)
		*c = *c == '-' ? ' ' : (char)tolower((unsigned char)*c);
	pty_send(&p, typed);
	cr_assert(pty_expect(&p, "New wallet passphrase: "), "%s", p.buf);
	pty_wait_noecho(&p);
	pty_send(&p, "fietsen door de polder\n");
	cr_assert(pty_expect(&p, "Repeat the passphrase: "));
	pty_wait_noecho(&p);
	pty_send(&p, "fietsen door de polder\n");
	cr_assert_eq(pty_finish(&p), 0, "%s", p.buf);
	write_text(PW, "fietsen door de polder\n");
	cr_assert_eq(run("list %s", COMMON), 0);
}

Test(cli_wallet, passwd_changes_the_passphrase)
{
	init_wallet();
	char np[200];
	snprintf(np, sizeof np, "%s/newpw", T);
	write_text(np, "een ander wachtwoord\n");
	cr_assert_eq(run("passwd %s --new-passphrase-file %s --kdf-ops 2 --kdf-mem-mib 16", COMMON, np), 0);
	cr_assert_eq(run("list %s", COMMON), 1);
	cr_assert_eq(run("list --wallet %s --passphrase-file %s", W, np), 0);
	/* passwd with a wrong current passphrase changes nothing */
	lp_buf before = read_file(W);
	cr_assert_eq(run("passwd %s --new-passphrase-file %s", COMMON, np), 1);
	cr_assert(same_file(W, &before));
	cr_assert_eq(run("passwd %s --recovery-key", COMMON), 2);
	lp_buf_free(&before);
}

Test(cli_wallet, wrong_passphrase_damage_and_newer_version_are_explained)
{
	wallet_with_credential(1);
	lp_buf before = read_file(W);
	char wrong[200];
	snprintf(wrong, sizeof wrong, "%s/wrongpw", T);
	write_text(wrong, "not the passphrase\n");
	cr_assert_eq(run("list --wallet %s --passphrase-file %s", W, wrong), 1);
	ASSERT_ERR_HAS("wrong passphrase");
	cr_assert(same_file(W, &before), "a wrong passphrase changes nothing");
	/* a damaged wallet points at FILE.prev, which restores */
	lp_buf d = read_file(W);
	d.ptr[d.len / 2] ^= 0x04;
	cr_assert_eq(lp_file_write_atomic(W, lp_buf_view(&d), 0600, 0), LP_OK);
	cr_assert_neq(run("list %s", COMMON), 0);
	ASSERT_ERR_HAS("w.lpw.prev exists");
	ASSERT_ERR_HAS("restore");
	/* truncated */
	cr_assert_eq(lp_file_write_atomic(W, lp_view_of(d.ptr, 100), 0600, 0), LP_OK);
	cr_assert_eq(run("list %s", COMMON), 2);
	ASSERT_ERR_HAS("truncated");
	/* a newer format version */
	before.ptr[9] = 9;
	cr_assert_eq(lp_file_write_atomic(W, lp_buf_view(&before), 0600, 0), LP_OK);
	cr_assert_eq(run("list %s", COMMON), 2);
	ASSERT_ERR_HAS("newer");
	/* .prev (the generation before the import) brings it back */
	cr_assert_eq(run("restore %s.prev %s", W, COMMON), 0);
	cr_assert_eq(run("list %s", COMMON), 0);
	ASSERT_OUT_HAS("empty");
	/* no wallet at all */
	char none[200];
	snprintf(none, sizeof none, "%s/none.lpw", T);
	cr_assert_eq(run("list --wallet %s --passphrase-file %s", none, PW), 2);
	ASSERT_ERR_HAS("leerpas-wallet init");
	lp_buf_free(&d);
	lp_buf_free(&before);
}

Test(cli_wallet, remove_deletes_credential_and_keys_keeps_log)
{
	wallet_with_credential(2);
	cr_assert_eq(run("present basis-python %s --show grade --text", COMMON), 0);
	uint8_t sks[8][64];
	cr_assert_eq(holder_secrets(sks, 8), 2);
	cr_assert_eq(run("remove basis-python %s --yes", COMMON), 0);
	cr_assert_eq(holder_secrets(sks, 8), 0, "its keys are gone");
	cr_assert_eq(run("list %s", COMMON), 0);
	ASSERT_OUT_HAS("empty");
	cr_assert_eq(run("log %s", COMMON), 0);
	ASSERT_OUT_HAS("basis-python (removed)");
	cr_assert_eq(run("remove basis-python %s --yes", COMMON), 2);
}

/* Kill the program at many points while it writes; afterwards the wallet
 * opens with the old or the new content, never neither. */
static void kill_during(const char *args, int (*count)(const char *pass_path))
{
	for (int round = 0; round < 25; round++) {
		int before = count(PW);
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			int nul = open("/dev/null", O_RDWR);
			dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
			char cmd[2048];
			snprintf(cmd, sizeof cmd, "exec %s %s", BIN, args);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		/* let it run for a while that differs from round to round */
		struct timespec t0, t;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		long target_us = 2000L * round;
		int st;
		pid_t done = 0;
		do {
			done = waitpid(pid, &st, WNOHANG);
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while (!done && (t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < target_us);
		if (!done) {
			kill(pid, SIGKILL);
			cr_assert_eq(waitpid(pid, &st, 0), pid);
		}
		int after = count(PW);
		cr_assert_geq(after, 0, "round %d: the wallet opens after the kill", round);
		cr_assert(after == before || after == before + 1, "round %d: old (%d) or new, got %d", round,
			  before, after);
	}
}

static int log_count(const char *pass_path)
{
	lp_wallet *w = NULL;
	lp_buf pw = read_file(pass_path);
	size_t n = pw.len;
	while (n && pw.ptr[n - 1] == '\n')
		n--;
	lp_err e = lp_wallet_open(W, lp_view_of(pw.ptr, n), &w, NULL);
	lp_buf_free(&pw);
	if (e != LP_OK)
		return -1;
	int c = (int)lp_wallet_log_count(w);
	lp_wallet_close(w);
	return c;
}

static int cred_count(const char *pass_path)
{
	lp_wallet *w = NULL;
	lp_buf pw = read_file(pass_path);
	size_t n = pw.len;
	while (n && pw.ptr[n - 1] == '\n')
		n--;
	lp_err e = lp_wallet_open(W, lp_view_of(pw.ptr, n), &w, NULL);
	lp_buf_free(&pw);
	if (e != LP_OK)
		return -1;
	int c = (int)lp_wallet_cred_count(w);
	lp_wallet_close(w);
	return c;
}

Test(cli_wallet, killed_during_present_leaves_old_or_new_wallet)
{
	wallet_with_credential(1);
	char args[600];
	snprintf(args, sizeof args, "present basis-python %s --show grade --text", COMMON);
	kill_during(args, log_count);
}

Test(cli_wallet, killed_during_import_leaves_old_or_new_wallet)
{
	init_wallet();
	cr_assert_eq(run("request %s --issuer %s --copies 1 --out req.cbor", COMMON, ISS), 0);
	char req[160], cred[160];
	snprintf(req, sizeof req, "%s/req.cbor", T);
	snprintf(cred, sizeof cred, "%s/cred.cwt", T);
	school_issue(req, cred, NULL);
	char args[600];
	snprintf(args, sizeof args, "import %s %s", COMMON, cred);
	/* after the first successful import every later one is a refused
	 * duplicate: the count stays 0 or 1 either way */
	for (int round = 0; round < 25 && cred_count(PW) == 0; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			int nul = open("/dev/null", O_RDWR);
			dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
			char cmd[2048];
			snprintf(cmd, sizeof cmd, "exec %s %s", BIN, args);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		struct timespec t0, t;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int st;
		pid_t done = 0;
		do {
			done = waitpid(pid, &st, WNOHANG);
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while (!done && (t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < 3000L * round);
		if (!done) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		int n = cred_count(PW);
		cr_assert(n == 0 || n == 1, "round %d: the wallet opens with old or new content (%d)", round, n);
	}
	if (cred_count(PW) == 0)
		cr_assert_eq(run("import %s", args + strlen("import ")), 0, "after the kills, import works");
	cr_assert_eq(cred_count(PW), 1, "imported in the end");
}

Test(cli_wallet, killed_during_passwd_leaves_old_or_new_passphrase)
{
	wallet_with_credential(1);
	char np[200];
	snprintf(np, sizeof np, "%s/newpw", T);
	write_text(np, "een ander wachtwoord\n");
	for (int round = 0; round < 25; round++) {
		/* always go from PW to NP; if the last round finished, swap back first */
		if (log_count(PW) < 0) {
			cr_assert_eq(run("passwd --wallet %s --passphrase-file %s --new-passphrase-file %s", W, np, PW), 0);
		}
		pid_t pid = fork();
		if (pid == 0) {
			int nul = open("/dev/null", O_RDWR);
			dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
			char cmd[2048];
			snprintf(cmd, sizeof cmd, "exec %s passwd %s --new-passphrase-file %s", BIN, COMMON, np);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		struct timespec t0, t;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int st;
		pid_t done = 0;
		do {
			done = waitpid(pid, &st, WNOHANG);
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while (!done && (t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < 3000L * round);
		if (!done) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		int a = log_count(PW), b = log_count(np);
		cr_assert((a >= 0) != (b >= 0), "round %d: exactly one of old and new passphrase opens it", round);
		cr_assert_eq(cred_count(a >= 0 ? PW : np), 1, "round %d: nothing lost", round);
	}
}

Test(cli_wallet, killed_during_backup_leaves_the_wallet_intact)
{
	wallet_with_credential(1);
	lp_buf before = read_file(W);
	for (int round = 0; round < 20; round++) {
		char bak[200];
		snprintf(bak, sizeof bak, "%s/b%d.lpw", T, round);
		pid_t pid = fork();
		if (pid == 0) {
			int nul = open("/dev/null", O_RDWR);
			dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
			char cmd[2048];
			snprintf(cmd, sizeof cmd, "exec %s backup %s --out %s", BIN, COMMON, bak);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		struct timespec t0, t;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int st;
		pid_t done = 0;
		do {
			done = waitpid(pid, &st, WNOHANG);
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while (!done && (t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < 2500L * round);
		if (!done) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		cr_assert(same_file(W, &before), "round %d: backup never touches the wallet", round);
		/* a backup file, if there is one, is complete: it opens */
		if (access(bak, F_OK) == 0) {
			lp_wallet *w = NULL;
			cr_assert_eq(lp_wallet_open(bak, lp_view_of((const uint8_t *)"correct horse battery staple", 28),
						    &w, NULL),
				     LP_OK, "round %d: a backup that exists opens", round);
			lp_wallet_close(w);
		}
	}
	lp_buf_free(&before);
}

/* The school publishes its status list with entry 42 (our credential) set. */
static void school_status(const char *path, unsigned value, int64_t iat, const uint8_t *sk)
{
	lp_status_list l;
	cr_assert_eq(lp_status_list_create(&l, 128, 2), LP_OK);
	cr_assert_eq(lp_status_list_set(&l, 42, value), LP_OK);
	lp_status_token_params p;
	memset(&p, 0, sizeof p);
	p.uri = ISS "/status.cwt";
	p.iat = iat;
	p.kid = (const uint8_t *)"k1";
	p.kid_len = 2;
	lp_buf b;
	cr_assert_eq(lp_status_token_sign(&l, &p, sk, &b), LP_OK);
	cr_assert_eq(lp_file_write_atomic(path, lp_buf_view(&b), 0644, 0), LP_OK);
	lp_buf_free(&b);
	lp_status_list_free(&l);
}

Test(cli_wallet, status_lists_set_the_status_as_last_known)
{
	wallet_with_credential(2);
	char sl[200], desc[200], forged[200];
	snprintf(sl, sizeof sl, "%s/status.cwt", T);
	snprintf(desc, sizeof desc, "%s/school.json", T);
	snprintf(forged, sizeof forged, "%s/forged.cwt", T);
	school_describe(desc, school_pk);
	int64_t now = (int64_t)time(NULL);
	school_status(sl, LP_STATUS_VALID, now - 100, school_sk);
	cr_assert_eq(run("status %s status.cwt --issuer-key school.json", COMMON), 0);
	ASSERT_OUT_HAS("basis-python: valid");
	cr_assert_eq(run("list %s", COMMON), 0);
	ASSERT_OUT_HAS("status: valid");
	/* a list signed by someone else is refused and records nothing */
	uint8_t opk[32], osk[64];
	crypto_sign_keypair(opk, osk);
	school_status(forged, LP_STATUS_INVALID, now - 50, osk);
	lp_buf before = read_file(W);
	cr_assert_eq(run("status %s forged.cwt --issuer-key school.json", COMMON), 1);
	ASSERT_ERR_HAS("does not verify");
	cr_assert(same_file(W, &before));
	/* revoked, then an older list does not undo it */
	school_status(sl, LP_STATUS_INVALID, now - 10, school_sk);
	cr_assert_eq(run("status %s status.cwt --issuer-key school.json --json", COMMON), 0);
	ASSERT_OUT_HAS("\"revoked\"");
	school_status(sl, LP_STATUS_VALID, now - 1000, school_sk);
	cr_assert_eq(run("status %s status.cwt --issuer-key school.json", COMMON), 0);
	ASSERT_ERR_HAS("older than what the wallet knows");
	cr_assert_eq(run("list %s", COMMON), 0);
	ASSERT_OUT_HAS("status: revoked");
	/* presenting a revoked credential warns */
	cr_assert_eq(run("present basis-python %s --show grade --text", COMMON), 0);
	ASSERT_ERR_HAS("revoked this credential");
	/* without --issuer-key: read, and said to be unchecked */
	school_status(sl, LP_STATUS_SUSPENDED, now, school_sk);
	cr_assert_eq(run("status %s status.cwt", COMMON), 0);
	ASSERT_OUT_HAS("suspended (status list of");
	ASSERT_OUT_HAS("signature not checked");
	write_text(sl, "garbage");
	cr_assert_eq(run("status %s status.cwt", COMMON), 2);
	cr_assert_eq(run("status %s", COMMON), 2);
	lp_buf_free(&before);
}

/* Run the wallet with a file size limit of 512 bytes: every write of the
 * wallet fails as on a full disk (EFBIG; the program ignores SIGXFSZ).
 * stderr goes through a pipe to T/err, outside the limit. */
static int run_full_disk(const char *args)
{
	char cmd[2048], rcp[200];
	snprintf(cmd, sizeof cmd,
		 "cd %s && (ulimit -f 1; %s %s >/dev/null; echo $? > %s/rc) 2>&1 | cat > %s/err", T, BIN, args,
		 T, T);
	int st = system(cmd);
	cr_assert(WIFEXITED(st));
	snprintf(rcp, sizeof rcp, "%s/rc", T);
	char *r = slurp(rcp);
	cr_assert_not_null(r);
	int rc = atoi(r);
	free(r);
	return rc;
}

Test(cli_wallet, a_full_disk_is_reported_and_changes_nothing)
{
	wallet_with_credential(1);
	lp_buf before = read_file(W);
	char args[600];
	snprintf(args, sizeof args, "present basis-python %s --show grade --text", COMMON);
	cr_assert_eq(run_full_disk(args), 2);
	ASSERT_ERR_HAS("cannot save the wallet");
	ASSERT_ERR_HAS("unchanged");
	cr_assert(same_file(W, &before), "the wallet is unchanged");
	snprintf(args, sizeof args, "passwd %s --new-passphrase-file %s", COMMON, PW);
	cr_assert_eq(run_full_disk(args), 2);
	cr_assert(same_file(W, &before));
	snprintf(args, sizeof args, "backup %s --out b.lpw", COMMON);
	cr_assert_eq(run_full_disk(args), 2);
	ASSERT_ERR_HAS("cannot write the backup");
	char b[200];
	snprintf(b, sizeof b, "%s/b.lpw", T);
	cr_assert_neq(access(b, F_OK), 0, "no partial backup left behind");
	cr_assert(same_file(W, &before));
	/* no temporary files are left behind either */
	char cmd[300];
	snprintf(cmd, sizeof cmd, "ls %s | grep -q tmp", T);
	cr_assert_neq(system(cmd), 0, "temporary files were removed");
	lp_buf_free(&before);
}

/* Run another leerpas program (issuer, verifier) from the build; output to
 * T/out and T/err like run(). */
static int run_prog(const char *prog, const char *fmt, ...)
{
	char args[2048], cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "cd %s && %s/%s %s >%s/out 2>%s/err </dev/null", T, LP_BINARY_DIR, prog,
		 args, T, T);
	int st = system(cmd);
	cr_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The whole way with the real programs and the project's example
 * microcredential: the school issues 3 copies for the wallet's request, the
 * wallet imports them checking the school's signature, presents name and
 * grade as a PNG, and the verifier says VALID from the image. Logs the size
 * of that typical presentation. */
Test(cli_wallet, with_the_real_issuer_and_verifier)
{
	char issuer[300], verifier[300];
	snprintf(issuer, sizeof issuer, "%s/leerpas-issuer", LP_BINARY_DIR);
	snprintf(verifier, sizeof verifier, "%s/leerpas-verifier", LP_BINARY_DIR);
	if (access(issuer, X_OK) != 0 || access(verifier, X_OK) != 0)
		cr_skip_test("leerpas-issuer or leerpas-verifier not built");
	init_wallet();
	char spw[200];
	snprintf(spw, sizeof spw, "%s/spw", T);
	write_text(spw, "school passphrase here\n");
	cr_assert_eq(run_prog("leerpas-issuer", "init --dir school --id https://www.roc-voorbeeld.nl --name 'ROC Voorbeeld' "
						  "--country NL --passphrase-file %s --kdf-memory 8 --kdf-passes 1",
			      spw),
		     0);
	cr_assert_eq(run_prog("leerpas-issuer", "template add --dir school %s/examples/templates/microcredential.json",
			      LP_SOURCE_DIR),
		     0);
	cr_assert_eq(run("request %s --issuer https://www.roc-voorbeeld.nl --copies 3 --out req.cbor", COMMON), 0);
	cr_assert_eq(run_prog("leerpas-issuer", "issue --dir school --template microcredential --claims "
						  "%s/examples/learner.json --request req.cbor --out cred.cwt --passphrase-file %s",
			      LP_SOURCE_DIR, spw),
		     0);
	cr_assert_eq(run_prog("leerpas-issuer", "export --dir school --out school.json"), 0);
	cr_assert_eq(run("import %s cred.cwt --issuer-key school.json --id mc", COMMON), 0);
	ASSERT_OUT_HAS("(3 copies)");
	ASSERT_OUT_HAS("signature was checked");
	cr_assert_eq(run("present mc %s --show fullName,grade --qr-png mc.png --json", COMMON), 0);
	char *o = out();
	json_t *j = json_loads(o, 0, NULL);
	cr_assert_not_null(j, "%s", o);
	const char *text = json_string_value(json_object_get(j, "text"));
	long long version = (long long)json_integer_value(json_object_get(j, "qrVersion"));
	cr_log_info("typical microcredential (examples/templates/microcredential.json) showing name and "
		    "grade: %zu base45 characters after 'LP1:', %zu in all, QR version %lld at ECC M",
		    strlen(text) - 4, strlen(text), version);
	cr_assert_leq(version, 40);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "zbarimg --raw -q %s/mc.png > %s/zbar.txt", T, T);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/zbar.txt", T);
	char *z = slurp(cmd);
	z[strcspn(z, "\n")] = '\0';
	cr_assert_str_eq(z, text);
	free(z);
	json_decref(j);
	free(o);
	cr_assert_eq(run_prog("leerpas-verifier", "trust pin school.json --store vs"), 0);
	cr_assert_eq(run_prog("leerpas-verifier", "verify --store vs --image mc.png"), 0);
	ASSERT_OUT_HAS("VALID");
	ASSERT_OUT_HAS("Eva de Vries");
	ASSERT_OUT_HAS("8,1");
	o = out();
	cr_assert_null(strstr(o, "S2026-0417"), "the learner number was withheld");
	cr_assert_null(strstr(o, "2004-03-17"), "the date of birth was withheld");
	free(o);
	/* the status list the school publishes reaches the wallet */
	cr_assert_eq(run_prog("leerpas-issuer", "status publish --dir school --out status.cwt --passphrase-file %s", spw),
		     0);
	cr_assert_eq(run("status %s status.cwt --issuer-key school.json", COMMON), 0);
	ASSERT_OUT_HAS("mc: valid");
}
