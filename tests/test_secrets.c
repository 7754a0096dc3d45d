#define _GNU_SOURCE
/* Secrets: the programs are run as a school and a learner would, the secret
 * keys are then extracted through the library with the known passphrases,
 * and no output (stdout, stderr, any file written, QR text and images) may
 * contain them in any common encoding. Also: key and wallet files are 0600
 * and never written through a symlink, core dumps are off in processes
 * holding secrets, and a changed passphrase no longer opens anything. */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "helper.h"
#include "helper_harden.h"
#include "leerpas/codec.h"
#include "leerpas/keyfile.h"
#include "leerpas/register.h"
#include "leerpas/wallet.h"
#include "wallet_int.h"

#define SCHOOL_PASS "schoolzin die niemand raadt"
#define WALLET_PASS "leerlingzin die geheim blijft"

static const char tmpl_json[] =
	"{\"vct\":\"https://roc-voorbeeld.example/mc/basis-python\",\"claims\":{"
	"\"title\":\"Basis Python\",\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's\"],\"creditPoint\":2.5,\"eqfLevel\":4,"
	"\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\",\"accreditation\":\"NRTO\","
	"\"awardingDate\":\"2026-06-30\"},"
	"\"redactable\":[\"fullName\",\"dateOfBirth\",\"studentId\",\"grade\"]}";
static const char learner_json[] = "{\"fullName\":\"Sanne de Vries\",\"dateOfBirth\":\"2004-02-29\","
				   "\"studentId\":\"123456\",\"grade\":\"8,1\"}";

/* Everything the programs printed, by command. */
struct outputs {
	size_t n;
	char *what[64];
	char *text[64];
	size_t len[64];
};

static void keep(struct outputs *o, const char *what, const char *text, size_t len)
{
	cr_assert_lt(o->n, 64);
	o->what[o->n] = strdup(what);
	o->text[o->n] = malloc(len + 1);
	memcpy(o->text[o->n], text, len);
	o->text[o->n][len] = 0;
	o->len[o->n] = len;
	o->n++;
}

/* Run a program, keep its stdout and stderr, require exit status want. */
static void run(struct outputs *o, int want, const char *label, const char *const *argv)
{
	lpt_run r = lpt_runv(NULL, NULL, argv);
	cr_assert_eq(r.status, want, "%s: exit %d: %s", label, r.status, r.err);
	char *l1 = lpt_fmt("%s (stdout)", label), *l2 = lpt_fmt("%s (stderr)", label);
	keep(o, l1, r.out, r.out_len);
	keep(o, l2, r.err, r.err_len);
	free(l1);
	free(l2);
	lpt_run_free(&r);
}

/* A secret to look for, and where it may legitimately appear. */
struct secret {
	const char *name;
	uint8_t bytes[64];
	size_t len;
	const char *allowed_in; /* an output label where it is meant to be (or NULL) */
};

static void check_blob(const struct secret *s, size_t ns, const char *where, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < ns; i++) {
		if (s[i].allowed_in && strcmp(s[i].allowed_in, where) == 0)
			continue;
		const char *enc = hh_find_secret(p, n, s[i].bytes, s[i].len);
		cr_assert_null(enc, "%s appears in %s (%s)", s[i].name, where, enc);
	}
}

/* Every regular file under dir, recursively. */
static size_t check_tree(const struct secret *s, size_t ns, const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	struct dirent *e;
	size_t files = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = lpt_fmt("%s/%s", dir, e->d_name);
		struct stat st;
		cr_assert_eq(lstat(p, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			files += check_tree(s, ns, p);
		} else if (S_ISREG(st.st_mode)) {
			size_t n;
			char *b = lpt_read_file(p, &n);
			check_blob(s, ns, p, (const uint8_t *)b, n);
			free(b);
			files++;
		}
		free(p);
	}
	closedir(d);
	return files;
}

static void add_secret(struct secret *s, size_t *ns, const char *name, const uint8_t *p, size_t n,
		       const char *allowed)
{
	cr_assert_leq(n, 64);
	s[*ns].name = name;
	memcpy(s[*ns].bytes, p, n);
	s[*ns].len = n;
	s[*ns].allowed_in = allowed;
	(*ns)++;
}

static void write_secret_file(const char *path, const char *text)
{
	char *line = lpt_fmt("%s\n", text);
	lpt_write_file(path, line, strlen(line));
	cr_assert_eq(chmod(path, 0600), 0);
	free(line);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s", path);
	return st.st_mode & 07777;
}

/* The one key file in DIR/keys. */
static char *key_file(const char *store)
{
	char *kd = lpt_fmt("%s/keys", store);
	DIR *d = opendir(kd);
	cr_assert_not_null(d);
	struct dirent *e;
	char *found = NULL;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".key"))
			found = lpt_fmt("%s/%s", kd, e->d_name);
	closedir(d);
	free(kd);
	cr_assert_not_null(found, "no key file");
	return found;
}

Test(secrets, no_secret_bytes_in_any_output, .timeout = 300)
{
	cr_assert_eq(lp_init(), LP_OK);
	/* Inputs (passphrase files, template, claims) in one directory, every
	 * output in another, which is searched file by file. */
	char *dir = lpt_tmpdir(), *in = lpt_tmpdir();
	char *store = lpt_fmt("%s/school", dir), *spass = lpt_fmt("%s/school.pass", in),
	     *wpass = lpt_fmt("%s/wallet.pass", in), *wallet = lpt_fmt("%s/wallet.lpw", dir),
	     *tmpl = lpt_fmt("%s/tmpl.json", in), *claims = lpt_fmt("%s/learner.json", in),
	     *req = lpt_fmt("%s/request", dir), *cred = lpt_fmt("%s/credential", dir),
	     *desc = lpt_fmt("%s/school-export.json", dir), *status = lpt_fmt("%s/status.cwt", dir),
	     *png = lpt_fmt("%s/qr.png", dir), *svg = lpt_fmt("%s/qr.svg", dir),
	     *exp = lpt_fmt("%s/export.json", dir), *backup = lpt_fmt("%s/backup.lpw", dir),
	     *vstore = lpt_fmt("%s/verifier", dir);
	write_secret_file(spass, SCHOOL_PASS);
	write_secret_file(wpass, WALLET_PASS);
	lpt_write_file(tmpl, tmpl_json, strlen(tmpl_json));
	lpt_write_file(claims, learner_json, strlen(learner_json));
	struct outputs o = { 0 };

	run(&o, 0, "issuer init", (const char *[]){ "leerpas-issuer", "init", "--dir", store, "--id", HH_ISS,
		"--name", "ROC Voorbeeld", "--kdf-memory", "8", "--kdf-passes", "1", "--passphrase-file",
		spass, "--json", NULL });
	run(&o, 0, "template add", (const char *[]){ "leerpas-issuer", "template", "add", "--dir", store, tmpl,
		"--name", "py", NULL });
	run(&o, 0, "issuer export", (const char *[]){ "leerpas-issuer", "export", "--dir", store, "--out",
		desc, NULL });
	run(&o, 0, "wallet init", (const char *[]){ "leerpas-wallet", "init", "--wallet", wallet,
		"--passphrase-file", wpass, "--kdf-ops", "1", "--kdf-mem-mib", "8", NULL });
	run(&o, 0, "wallet request", (const char *[]){ "leerpas-wallet", "request", "--issuer", HH_ISS,
		"--copies", "2", "--out", req, "--wallet", wallet, "--passphrase-file", wpass, NULL });
	run(&o, 0, "issuer issue", (const char *[]){ "leerpas-issuer", "issue", "--dir", store, "--template",
		"py", "--claims", claims, "--request", req, "--out", cred, "--passphrase-file", spass,
		"--json", NULL });
	run(&o, 0, "wallet import", (const char *[]){ "leerpas-wallet", "import", cred, "--id", "py",
		"--issuer-key", desc, "--wallet", wallet, "--passphrase-file", wpass, "--json", NULL });
	run(&o, 0, "wallet present text", (const char *[]){ "leerpas-wallet", "present", "py", "--show",
		"fullName,grade", "--text", "--yes", "--audience", HH_AUD, "--wallet", wallet,
		"--passphrase-file", wpass, NULL });
	run(&o, 0, "wallet present images", (const char *[]){ "leerpas-wallet", "present", "py", "--show",
		"none", "--qr-png", png, "--qr-svg", svg, "--yes", "--json", "--wallet", wallet,
		"--passphrase-file", wpass, NULL });
	run(&o, 0, "wallet list", (const char *[]){ "leerpas-wallet", "list", "--json", "--wallet", wallet,
		"--passphrase-file", wpass, NULL });
	run(&o, 0, "wallet show", (const char *[]){ "leerpas-wallet", "show", "py", "--json", "--wallet",
		wallet, "--passphrase-file", wpass, NULL });
	run(&o, 0, "wallet log", (const char *[]){ "leerpas-wallet", "log", "--json", "--wallet", wallet,
		"--passphrase-file", wpass, NULL });
	run(&o, 0, "wallet export", (const char *[]){ "leerpas-wallet", "export", "--out", exp, "--wallet",
		wallet, "--passphrase-file", wpass, NULL });
	run(&o, 0, "wallet backup", (const char *[]){ "leerpas-wallet", "backup", "--out", backup, "--wallet",
		wallet, "--passphrase-file", wpass, NULL });
	run(&o, 0, "issuer status", (const char *[]){ "leerpas-issuer", "status", "publish", "--dir", store,
		"--out", status, "--passphrase-file", spass, "--json", NULL });
	run(&o, 0, "issuer list", (const char *[]){ "leerpas-issuer", "list", "--dir", store, "--json", NULL });
	run(&o, 0, "verifier pin", (const char *[]){ "leerpas-verifier", "trust", "pin", desc, "--store",
		vstore, NULL });
	run(&o, 0, "verifier status", (const char *[]){ "leerpas-verifier", "status", "import", status,
		"--store", vstore, NULL });
	/* The wallet with a wrong passphrase, and the issuer with one. */
	char *bad = lpt_fmt("%s/bad.pass", in);
	write_secret_file(bad, "dit is niet de zin");
	run(&o, 1, "wallet wrong passphrase", (const char *[]){ "leerpas-wallet", "list", "--wallet", wallet,
		"--passphrase-file", bad, NULL });
	run(&o, 1, "issuer wrong passphrase", (const char *[]){ "leerpas-issuer", "status", "publish", "--dir",
		store, "--out", status, "--passphrase-file", bad, NULL });

	/* The secrets, through the library with the known passphrases. */
	struct secret s[96];
	size_t ns = 0;
	char *kf = key_file(store);
	lp_signkey sk;
	lp_diag d = { 0 };
	cr_assert_eq(lp_keyfile_read(kf, lp_view_of((const uint8_t *)SCHOOL_PASS, strlen(SCHOOL_PASS)), &sk, &d),
		     LP_OK, "%s", d.msg);
	add_secret(s, &ns, "the school's signing key seed", sk.sk, 32, NULL);
	add_secret(s, &ns, "the school's signing key seed (second half)", sk.sk + 16, 16, NULL);
	lp_signkey_free(&sk);
	lp_wallet *w = NULL;
	cr_assert_eq(lp_wallet_open(wallet, lp_view_of((const uint8_t *)WALLET_PASS, strlen(WALLET_PASS)), &w, &d),
		     LP_OK, "%s", d.msg);
	add_secret(s, &ns, "the wallet's data key", w->data_key, 32, NULL);
	cr_assert_eq(lp_wallet_key_count(w), 2);
	static const char *const hk[] = { "holder key 1 seed", "holder key 2 seed" };
	for (size_t i = 0; i < 2; i++)
		add_secret(s, &ns, hk[i], lp_wallet_key_at(w, i)->sk, 32, NULL);
	lp_wallet_close(w);
	add_secret(s, &ns, "the school's passphrase", (const uint8_t *)SCHOOL_PASS, strlen(SCHOOL_PASS), NULL);
	add_secret(s, &ns, "the wallet's passphrase", (const uint8_t *)WALLET_PASS, strlen(WALLET_PASS), NULL);
	add_secret(s, &ns, "the wrong passphrase", (const uint8_t *)"dit is niet de zin", 18, NULL);

	/* The recovery key is shown once, by init, on purpose: nowhere else. */
	const char *init_out = NULL;
	for (size_t i = 0; i < o.n; i++)
		if (strcmp(o.what[i], "wallet init (stdout)") == 0)
			init_out = o.text[i];
	cr_assert_not_null(init_out);
	const char *rk = NULL;
	for (const char *p = init_out; *p && !rk; p++) {
		/* 8 groups of 5 separated by dashes */
		size_t k = 0;
		while (k < 47 && p[k] && (k % 6 == 5 ? p[k] == '-' : (p[k] >= '0' && p[k] <= '9') ||
								      (p[k] >= 'A' && p[k] <= 'Z')))
			k++;
		if (k == 47)
			rk = p;
	}
	cr_assert_not_null(rk, "no recovery key in init's output: %s", init_out);
	char rktext[48];
	memcpy(rktext, rk, 47);
	rktext[47] = 0;
	uint8_t rkey[LP_WALLET_RECOVERY_BYTES];
	cr_assert_eq(lp_wallet_recovery_parse(rktext, 47, rkey, &d), LP_OK);
	add_secret(s, &ns, "the recovery key (text)", (const uint8_t *)rktext, 47, "wallet init (stdout)");
	add_secret(s, &ns, "the recovery key (one group)", (const uint8_t *)rktext + 6, 11, "wallet init (stdout)");
	add_secret(s, &ns, "the recovery key (bytes)", rkey, sizeof rkey, NULL);

	for (size_t i = 0; i < o.n; i++)
		check_blob(s, ns, o.what[i], (const uint8_t *)o.text[i], o.len[i]);
	size_t files = check_tree(s, ns, dir);
	cr_log_info("%zu secrets searched in %zu program outputs and %zu files (raw, hex, base64, "
		    "base64url, base45)", ns, o.n, files);
	cr_assert_geq(files, 12);

	/* Modes: secrets and personal data are 0600. */
	cr_assert_eq(mode_of(kf), 0600, "key file %o", mode_of(kf));
	cr_assert_eq(mode_of(wallet), 0600, "wallet %o", mode_of(wallet));
	char *prev = lpt_fmt("%s.prev", wallet);
	cr_assert_eq(mode_of(prev), 0600, "wallet.prev %o", mode_of(prev));
	cr_assert_eq(mode_of(backup), 0600, "backup %o", mode_of(backup));
	cr_assert_eq(mode_of(exp), 0600, "the wallet's plain JSON export %o", mode_of(exp));
	cr_assert_eq(mode_of(cred), 0600, "issued credential %o", mode_of(cred));

	for (size_t i = 0; i < o.n; i++) {
		free(o.what[i]);
		free(o.text[i]);
	}
	lpt_run r = lpt_run_args(NULL, "/bin/rm", "-rf", dir, in, NULL);
	lpt_run_free(&r);
	char *all[] = { dir, in, store, spass, wpass, wallet, tmpl, claims, req, cred, desc, status, png, svg, exp,
			backup, vstore, bad, kf, prev };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		free(all[i]);
}

/* The search itself finds what it should (so the test above can fail). */
Test(secrets, the_search_finds_every_encoding)
{
	uint8_t key[32];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 37 + 11);
	char hex[65], b64[64], b64u[64];
	sodium_bin2hex(hex, sizeof hex, key, 32);
	sodium_bin2base64(b64, sizeof b64, key, 32, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b64u, sizeof b64u, key, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	for (size_t pre = 0; pre < 3; pre++) {
		/* embedded at every alignment inside a larger encoded blob */
		uint8_t blob[40];
		memset(blob, 0xAA, sizeof blob);
		memcpy(blob + pre, key, 32);
		char eb[80], text[200];
		sodium_bin2base64(eb, sizeof eb, blob, 32 + pre + 1, sodium_base64_VARIANT_ORIGINAL);
		snprintf(text, sizeof text, "{\"x\":\"%s\"}", eb);
		cr_assert_str_eq(hh_find_secret((const uint8_t *)text, strlen(text), key, 32), "base64", "pre %zu", pre);
		sodium_bin2base64(eb, sizeof eb, blob, 32 + pre + 1, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		const char *f = hh_find_secret((const uint8_t *)eb, strlen(eb), key, 32);
		cr_assert(f && strncmp(f, "base64", 6) == 0, "pre %zu: %s", pre, f ? f : "not found");
	}
	cr_assert_str_eq(hh_find_secret((const uint8_t *)hex, 64, key, 32), "lowercase hex");
	for (char *p = hex; *p; p++)
		if (*p >= 'a')
			*p = (char)(*p - 32);
	cr_assert_str_eq(hh_find_secret((const uint8_t *)hex, 64, key, 32), "uppercase hex");
	cr_assert_str_eq(hh_find_secret(key, 32, key, 32), "raw bytes");
	lp_buf b45 = { 0 };
	cr_assert_eq(lp_base45_encode(lp_view_of(key, 32), &b45), LP_OK);
	cr_assert_str_eq(hh_find_secret(b45.ptr, b45.len, key, 32), "base45");
	lp_buf_free(&b45);
	cr_assert_null(hh_find_secret((const uint8_t *)b64u, strlen(b64u) - 12, key, 32));
}

/* ---- file creation ---------------------------------------------------------------------- */

Test(secrets, secret_files_are_never_written_through_a_symlink)
{
	cr_assert_eq(lp_init(), LP_OK);
	char *dir = lpt_tmpdir();
	char *pass = lpt_fmt("%s/p", dir), *target = lpt_fmt("%s/target", dir), *link = lpt_fmt("%s/w.lpw", dir);
	write_secret_file(pass, WALLET_PASS);
	cr_assert_eq(symlink(target, link), 0);
	lpt_run r = lpt_run_args(NULL, "leerpas-wallet", "init", "--wallet", link, "--passphrase-file", pass,
				 "--kdf-ops", "1", "--kdf-mem-mib", "8", NULL);
	cr_assert_eq(r.status, 2, "wallet init through a symlink: exit %d: %s", r.status, r.err);
	cr_assert_neq(access(target, F_OK), 0, "wallet init wrote through a symlink");
	lpt_run_free(&r);
	/* A real wallet, and a backup whose destination is a dangling symlink. */
	char *real = lpt_fmt("%s/real.lpw", dir), *blink = lpt_fmt("%s/backup.lpw", dir);
	r = lpt_run_args(NULL, "leerpas-wallet", "init", "--wallet", real, "--passphrase-file", pass, "--kdf-ops",
			 "1", "--kdf-mem-mib", "8", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	lpt_run_free(&r);
	cr_assert_eq(symlink(target, blink), 0);
	r = lpt_run_args(NULL, "leerpas-wallet", "backup", "--out", blink, "--wallet", real, "--passphrase-file",
			 pass, NULL);
	cr_assert_neq(r.status, 0, "backup through a symlink succeeded");
	cr_assert_neq(access(target, F_OK), 0, "backup wrote through a symlink");
	lpt_run_free(&r);
	/* A signing key file whose path is a dangling symlink (what
	 * leerpas-issuer init and key rotate write through). */
	char *ktarget = lpt_fmt("%s/stolen.key", dir), *klink = lpt_fmt("%s/school.key", dir);
	cr_assert_eq(symlink(ktarget, klink), 0);
	lp_signkey k;
	cr_assert_eq(lp_signkey_generate("k1", &k), LP_OK);
	lp_kdf_params kdf = { 1, 8u * 1024u * 1024u };
	lp_err e = lp_keyfile_write(klink, &k, lp_view_of((const uint8_t *)WALLET_PASS, strlen(WALLET_PASS)), &kdf);
	lp_signkey_free(&k);
	cr_assert_eq(e, LP_ERR_EXISTS, "key file through a symlink: %s", lp_err_code(e));
	cr_assert_neq(access(ktarget, F_OK), 0, "a key file was written through the symlink");
	r = lpt_run_args(NULL, "/bin/rm", "-rf", dir, NULL);
	lpt_run_free(&r);
	char *all[] = { dir, pass, target, link, real, blink, ktarget, klink };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		free(all[i]);
}

Test(secrets, no_secret_is_accepted_on_the_command_line)
{
	static const char *const progs[][4] = {
		{ "leerpas-wallet", "init", "--passphrase", "x" },
		{ "leerpas-wallet", "list", "--passphrase", "x" },
		{ "leerpas-wallet", "recover", "--recovery-key-text", "x" },
		{ "leerpas-issuer", "init", "--passphrase", "x" },
		{ "leerpas-issuer", "issue", "--passphrase", "x" },
	};
	for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
		lpt_run r = lpt_run_args(NULL, progs[i][0], progs[i][1], progs[i][2], progs[i][3], NULL);
		cr_assert_eq(r.status, 2, "%s %s %s: exit %d", progs[i][0], progs[i][1], progs[i][2], r.status);
		cr_assert_null(strstr(r.out, "x\n"));
		lpt_run_free(&r);
	}
}

/* ---- core dumps --------------------------------------------------------------------------- */

/* Start argv as uid 65534 on a new pseudo-terminal (its controlling
 * terminal), wait until it prints the passphrase prompt, and return its
 * pid with the master side in *master. */
static pid_t start_on_pty(const char *const *argv, int *master)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(m, 0);
	cr_assert_eq(grantpt(m), 0);
	cr_assert_eq(unlockpt(m), 0);
	char *sname = ptsname(m);
	cr_assert_not_null(sname);
	char *prog = strchr(argv[0], '/') ? strdup(argv[0]) : lpt_fmt("%s/%s", LP_BINARY_DIR, argv[0]);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		setsid();
		int s = open(sname, O_RDWR);
		if (s < 0)
			_exit(120);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(121);
		execv(prog, (char *const *)argv);
		_exit(122);
	}
	free(prog);
	/* Read until the prompt (blocking reads; the test's timeout bounds it). */
	char buf[4096];
	size_t got = 0;
	while (got < sizeof buf - 1) {
		ssize_t n = read(m, buf + got, sizeof buf - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = 0;
		if (strstr(buf, "assphrase"))
			break;
	}
	buf[got] = 0;
	cr_assert_not_null(strstr(buf, "assphrase"), "no passphrase prompt: %s", buf);
	*master = m;
	return pid;
}

/* While the program waits at its prompt: no core file possible
 * (RLIMIT_CORE 0) and not dumpable (/proc/PID files then belong to root
 * although the process runs as uid 65534). */
static void check_no_core(pid_t pid, const char *what)
{
	char *lim = lpt_fmt("/proc/%d/limits", (int)pid), *st = lpt_fmt("/proc/%d/status", (int)pid);
	size_t n;
	char *l = lpt_read_file(lim, &n);
	const char *core = strstr(l, "Max core file size");
	cr_assert_not_null(core);
	unsigned long soft = 99, hard = 99;
	cr_assert_eq(sscanf(core + strlen("Max core file size"), " %lu %lu", &soft, &hard), 2, "%s", core);
	cr_assert_eq(soft, 0, "%s: core dumps possible (soft limit %lu)", what, soft);
	cr_assert_eq(hard, 0, "%s: core dump limit can be raised again (hard %lu)", what, hard);
	struct stat sb;
	cr_assert_eq(stat(st, &sb), 0);
	char *s = lpt_read_file(st, &n);
	cr_assert_not_null(strstr(s, "Uid:\t65534"), "%s does not run as 65534", what);
	cr_assert_eq(sb.st_uid, 0, "%s is dumpable (its /proc files belong to its own uid)", what);
	free(s);
	free(l);
	free(lim);
	free(st);
}

static void stop(pid_t pid, int master)
{
	kill(pid, SIGKILL);
	int ws;
	waitpid(pid, &ws, 0);
	close(master);
}

Test(secrets, programs_holding_secrets_disable_core_dumps, .timeout = 120)
{
	cr_assert_eq(lp_init(), LP_OK);
	char *dir = lpt_tmpdir();
	cr_assert_eq(chmod(dir, 0777), 0);
	char *wallet = lpt_fmt("%s/w.lpw", dir), *pass = lpt_fmt("%s/p", dir), *store = lpt_fmt("%s/school", dir);
	write_secret_file(pass, WALLET_PASS);
	lpt_run r = lpt_run_args(NULL, "leerpas-wallet", "init", "--wallet", wallet, "--passphrase-file", pass,
				 "--kdf-ops", "1", "--kdf-mem-mib", "8", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	lpt_run_free(&r);
	r = lpt_run_args(NULL, "leerpas-issuer", "init", "--dir", store, "--id", HH_ISS, "--name", "ROC",
			 "--kdf-memory", "8", "--kdf-passes", "1", "--passphrase-file", pass, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	lpt_run_free(&r);
	/* Let uid 65534 read them (it only has to reach the prompt). */
	r = lpt_run_args(NULL, "/bin/chown", "-R", "65534:65534", dir, NULL);
	cr_assert_eq(r.status, 0);
	lpt_run_free(&r);
	int m;
	/* Control: an ordinary process at a prompt is dumpable, so the check
	 * below can fail. */
	pid_t pid = start_on_pty((const char *[]){ "/bin/sh", "-c", "echo Passphrase:; exec cat", NULL }, &m);
	char *st = lpt_fmt("/proc/%d/status", (int)pid);
	struct stat sb;
	cr_assert_eq(stat(st, &sb), 0);
	cr_assert_eq(sb.st_uid, 65534, "the dumpable check would not work here");
	free(st);
	stop(pid, m);
	pid = start_on_pty((const char *[]){ "leerpas-wallet", "list", "--wallet", wallet, NULL }, &m);
	check_no_core(pid, "leerpas-wallet list");
	stop(pid, m);
	char *out = lpt_fmt("%s/status.cwt", dir);
	pid = start_on_pty((const char *[]){ "leerpas-issuer", "status", "publish", "--dir", store, "--out", out,
					     NULL },
			   &m);
	check_no_core(pid, "leerpas-issuer status publish");
	stop(pid, m);
	r = lpt_run_args(NULL, "/bin/rm", "-rf", dir, NULL);
	lpt_run_free(&r);
	free(out);
	free(dir);
	free(wallet);
	free(pass);
	free(store);
}

/* ---- changing the passphrase ---------------------------------------------------------------- */

/* After passwd, the old passphrase opens nothing the wallet keeps next to
 * itself: not the wallet, and not its previous generation (PATH.prev),
 * which would otherwise hand out the data key, and with it every later
 * version of the wallet, to whoever learned the old passphrase. Backups
 * made before still open with it (the program says so). */
Test(secrets, wallet_passwd_retires_the_old_passphrase)
{
	cr_assert_eq(lp_init(), LP_OK);
	char *dir = lpt_tmpdir();
	char *wallet = lpt_fmt("%s/w.lpw", dir), *pass = lpt_fmt("%s/p", dir), *np = lpt_fmt("%s/np", dir),
	     *prev = lpt_fmt("%s/w.lpw.prev", dir);
	write_secret_file(pass, WALLET_PASS);
	write_secret_file(np, "een geheel nieuwe zin");
	lpt_run r = lpt_run_args(NULL, "leerpas-wallet", "init", "--wallet", wallet, "--passphrase-file", pass,
				 "--kdf-ops", "1", "--kdf-mem-mib", "8", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	lpt_run_free(&r);
	/* A second generation, so that PATH.prev exists. */
	r = lpt_run_args(NULL, "leerpas-wallet", "request", "--issuer", HH_ISS, "--out", np, "--wallet", wallet,
			 "--passphrase-file", pass, NULL);
	lpt_run_free(&r);
	write_secret_file(np, "een geheel nieuwe zin");
	r = lpt_run_args(NULL, "leerpas-wallet", "passwd", "--new-passphrase-file", np, "--kdf-ops", "1",
			 "--kdf-mem-mib", "8", "--wallet", wallet, "--passphrase-file", pass, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	lpt_run_free(&r);
	lp_view oldp = lp_view_of((const uint8_t *)WALLET_PASS, strlen(WALLET_PASS));
	lp_view newp = lp_view_of((const uint8_t *)"een geheel nieuwe zin", 21);
	lp_wallet *w = NULL;
	cr_assert_eq(lp_wallet_open(wallet, oldp, &w, NULL), LP_ERR_PASSPHRASE);
	cr_assert_eq(lp_wallet_open(wallet, newp, &w, NULL), LP_OK);
	cr_assert_eq(lp_wallet_key_count(w), 1);
	lp_wallet_close(w);
	if (access(prev, F_OK) == 0) {
		size_t n;
		char *b = lpt_read_file(prev, &n);
		lp_err e = lp_wallet_decode(lp_view_of((const uint8_t *)b, n), oldp, &w, NULL);
		if (e == LP_OK)
			lp_wallet_close(w);
		cr_assert_neq(e, LP_OK, "the previous generation still opens with the old passphrase");
		free(b);
	}
	r = lpt_run_args(NULL, "/bin/rm", "-rf", dir, NULL);
	lpt_run_free(&r);
	free(dir);
	free(wallet);
	free(pass);
	free(np);
	free(prev);
}
