#define _GNU_SOURCE
/* Crash safety: the real programs are run under ptrace and SIGKILLed at a
 * chosen system call (before or after it runs: every write, sync, link,
 * rename and unlink, and a spread of the rest); afterwards the register or
 * the wallet opens with the old or the new content and nothing committed
 * before is lost. Also a full disk (RLIMIT_FSIZE), a read-only directory (a
 * read-only bind mount in a private mount namespace) and wrong passphrases. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>

#include "helper.h"
#include "helper_harden.h"
#include "leerpas/register.h"
#include "leerpas/status.h"
#include "leerpas/wallet.h"

/* ---- running a program under ptrace ------------------------------------------------ */

#define MAX_STOPS 200000

struct trace_opts {
	long kill_at;          /* kill at this syscall stop (1-based); 0: run to the end */
	rlim_t fsize;          /* > 0: RLIMIT_FSIZE in bytes (a full disk) */
	const char *ro_dir;    /* make this directory read-only for the program */
	const char *stdin_text; /* fed on stdin (NULL: /dev/null) */
	const char *stdout_path; /* stdout goes to this file (NULL: /dev/null) */
};

struct trace_result {
	int status;            /* exit code, or 128 + signal */
	bool killed;           /* killed by us */
	long stops;            /* syscall stops seen */
	long *nr;              /* syscall number at each stop (entry and exit), if asked */
	char err[4096];        /* the program's stderr (start of it) */
};

/* Syscalls that change files: killing around them is what matters. */
static bool mutating(long nr)
{
	switch (nr) {
	case SYS_write: case SYS_pwrite64: case SYS_writev: case SYS_fsync: case SYS_fdatasync:
	case SYS_openat: case SYS_close: case SYS_ftruncate: case SYS_linkat: case SYS_renameat:
	case SYS_unlinkat: case SYS_fchmod: case SYS_mkdirat:
#ifdef SYS_rename
	case SYS_rename: case SYS_link: case SYS_unlink: case SYS_open: case SYS_creat: case SYS_mkdir:
#endif
#ifdef SYS_renameat2
	case SYS_renameat2:
#endif
		return true;
	default:
		return false;
	}
}

static void child_setup(const struct trace_opts *o, int errfd, int infd)
{
	/* Under ASan: LeakSanitizer stops the world with ptrace at exit, which
	 * fails in a process we already trace; leaks are checked in the
	 * untraced runs of the other suites. */
	const char *asan = getenv("ASAN_OPTIONS");
	char opts[1024];
	snprintf(opts, sizeof opts, "%s%sdetect_leaks=0", asan ? asan : "", asan && *asan ? ":" : "");
	setenv("ASAN_OPTIONS", opts, 1);
	int null = open("/dev/null", O_RDWR);
	if (null < 0)
		_exit(120);
	dup2(infd >= 0 ? infd : null, 0);
	int out = o->stdout_path ? open(o->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : null;
	if (out < 0)
		_exit(125);
	dup2(out, 1);
	dup2(errfd, 2);
	if (o->fsize) {
		struct rlimit rl = { o->fsize, o->fsize };
		signal(SIGXFSZ, SIG_IGN); /* writes past the limit fail with EFBIG */
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(121);
	}
	if (o->ro_dir) {
		if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		    mount(o->ro_dir, o->ro_dir, NULL, MS_BIND, NULL) != 0 ||
		    mount(NULL, o->ro_dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
			_exit(122);
	}
}

/* Run argv (argv[0] a program name in LP_BINARY_DIR) with options o. When
 * record is true, r->nr receives the syscall number of every stop. */
static struct trace_result trace_run(const char *const *argv, const struct trace_opts *o, bool record)
{
	struct trace_result r;
	memset(&r, 0, sizeof r);
	char *prog = lpt_fmt("%s/%s", LP_BINARY_DIR, argv[0]);
	int ep[2], ip[2] = { -1, -1 };
	cr_assert_eq(pipe(ep), 0);
	if (o->stdin_text)
		cr_assert_eq(pipe(ip), 0);
	if (record) {
		r.nr = calloc(MAX_STOPS, sizeof *r.nr);
		cr_assert_not_null(r.nr);
	}
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(ep[0]);
		if (ip[1] >= 0)
			close(ip[1]);
		child_setup(o, ep[1], ip[0]);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(123);
		raise(SIGSTOP);
		execv(prog, (char *const *)argv);
		_exit(124);
	}
	close(ep[1]);
	if (ip[0] >= 0) {
		close(ip[0]);
		/* Small inputs only: they fit the pipe buffer. */
		size_t n = strlen(o->stdin_text);
		cr_assert_eq(write(ip[1], o->stdin_text, n), (ssize_t)n);
		close(ip[1]);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSTOPPED(st), "child did not stop (status %d)", st);
	cr_assert_eq(ptrace(PTRACE_SETOPTIONS, pid, NULL,
			    (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC)),
		     0);
	int sig = 0;
	for (;;) {
		cr_assert_eq(ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig), 0);
		sig = 0;
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		if (WIFEXITED(st)) {
			r.status = WEXITSTATUS(st);
			break;
		}
		if (WIFSIGNALED(st)) {
			r.status = 128 + WTERMSIG(st);
			break;
		}
		if (!WIFSTOPPED(st))
			continue;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			r.stops++;
			if (record && r.stops < MAX_STOPS) {
				struct __ptrace_syscall_info si;
				memset(&si, 0, sizeof si);
				long got = ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof si, &si);
				r.nr[r.stops] = got > 0 && si.op == PTRACE_SYSCALL_INFO_ENTRY ? (long)si.entry.nr
					       : r.stops > 1 ? r.nr[r.stops - 1] : -1;
				/* Opening for reading changes nothing: not a kill point of interest. */
				if (got > 0 && si.op == PTRACE_SYSCALL_INFO_ENTRY && si.entry.nr == SYS_openat &&
				    (si.entry.args[2] & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) == 0)
					r.nr[r.stops] = -2;
			}
			if (o->kill_at && r.stops == o->kill_at) {
				kill(pid, SIGKILL);
				r.killed = true;
				while (waitpid(pid, &st, 0) == pid && !WIFEXITED(st) && !WIFSIGNALED(st))
					;
				r.status = 128 + SIGKILL;
				break;
			}
			continue;
		}
		if ((st >> 8) == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))
			continue;
		sig = WSTOPSIG(st); /* deliver the program's own signals */
	}
	ssize_t n = read(ep[0], r.err, sizeof r.err - 1);
	r.err[n > 0 ? n : 0] = 0;
	close(ep[0]);
	free(prog);
	return r;
}

/* Kill points for a program whose dry run made `stops` stops with numbers
 * nr[]: every stop at a mutating syscall (entry: before it runs; exit:
 * after), and every stride-th other stop, at most max in all. Returns the
 * count; points go to out (caller frees). */
static size_t kill_points(const struct trace_result *dry, size_t max, long **out)
{
	long *p = calloc(max, sizeof *p);
	cr_assert_not_null(p);
	size_t n = 0, mut = 0;
	long limit = dry->stops < MAX_STOPS ? dry->stops : MAX_STOPS - 1;
	for (long i = 1; i <= limit; i++)
		mut += mutating(dry->nr[i]);
	size_t stride = (size_t)limit / (max / 4 + 1) + 1;
	/* Mutating stops are thinned only when there are more than 3/4 of max. */
	size_t mstride = mut / (max * 3 / 4 + 1) + 1;
	size_t seen_mut = 0;
	for (long i = 1; i <= limit && n < max; i++) {
		if (mutating(dry->nr[i])) {
			if (seen_mut++ % mstride == 0)
				p[n++] = i;
		} else if ((size_t)i % stride == 0) {
			p[n++] = i;
		}
	}
	*out = p;
	return n;
}

/* ---- the school ---------------------------------------------------------------- */

static const char tmpl_json[] =
	"{\"vct\":\"https://roc-voorbeeld.example/mc/basis-python\",\"claims\":{"
	"\"title\":\"Basis Python\",\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's\"],\"creditPoint\":2.5,\"eqfLevel\":4,"
	"\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\",\"accreditation\":\"NRTO\","
	"\"awardingDate\":\"2026-06-30\"},"
	"\"redactable\":[\"fullName\",\"dateOfBirth\",\"studentId\",\"grade\"]}";

struct school {
	char *dir, *store, *pass, *tmpl, *claims;
	int issued;
};

static void school_init(struct school *s)
{
	memset(s, 0, sizeof *s);
	s->dir = lpt_tmpdir();
	s->store = lpt_fmt("%s/school", s->dir);
	s->pass = lpt_fmt("%s/school.pass", s->dir);
	s->tmpl = lpt_fmt("%s/basis-python.json", s->dir);
	s->claims = lpt_fmt("%s/learner.json", s->dir);
	lpt_write_file(s->pass, "correct horse school\n", 21);
	lpt_write_file(s->tmpl, tmpl_json, strlen(tmpl_json));
	static const char learner[] = "{\"fullName\":\"Sanne de Vries\",\"dateOfBirth\":\"2004-02-29\","
				      "\"studentId\":\"123456\",\"grade\":\"8,1\"}";
	lpt_write_file(s->claims, learner, strlen(learner));
	lpt_run r = lpt_run_args(NULL, "leerpas-issuer", "init", "--dir", s->store, "--id", HH_ISS,
				 "--name", "ROC Voorbeeld", "--kdf-memory", "8", "--kdf-passes", "1",
				 "--passphrase-file", s->pass, NULL);
	cr_assert_eq(r.status, 0, "issuer init: %s", r.err);
	lpt_run_free(&r);
	r = lpt_run_args(NULL, "leerpas-issuer", "template", "add", "--dir", s->store, s->tmpl, NULL);
	cr_assert_eq(r.status, 0, "template add: %s", r.err);
	lpt_run_free(&r);
}

static void school_free(struct school *s)
{
	lpt_run r = lpt_run_args(NULL, "/bin/rm", "-rf", s->dir, NULL);
	lpt_run_free(&r);
	free(s->dir);
	free(s->store);
	free(s->pass);
	free(s->tmpl);
	free(s->claims);
}

/* The argv of `issue` writing out (unbound: no wallet needed here). */
#define ISSUE_ARGV(s, out)                                                                     \
	{ "leerpas-issuer", "issue", "--dir", (s)->store, "--template", "basis-python", "--claims", \
	  (s)->claims, "--learner", "123456", "--out", (out), "--passphrase-file", (s)->pass, NULL }

/* What the register holds: cti -> status, and checks of its consistency. */
struct reg_snapshot {
	size_t n;
	char cti[512][LP_REG_CTI_MAX + 1];
	unsigned status[512];
	uint64_t idx[512];
};

static bool snap_cb(void *ctx, const lp_reg_cred *c)
{
	struct reg_snapshot *s = ctx;
	cr_assert_lt(s->n, 512);
	snprintf(s->cti[s->n], sizeof s->cti[0], "%s", c->cti);
	s->status[s->n] = c->status;
	s->idx[s->n] = c->status_idx;
	s->n++;
	return true;
}

static void reg_snapshot(const struct school *s, struct reg_snapshot *snap)
{
	char *p = lpt_fmt("%s/register.db", s->store);
	lp_register *r = NULL;
	lp_err e = lp_register_open(p, &r);
	cr_assert_eq(e, LP_OK, "the register does not open after the kill: %s", lp_err_code(e));
	memset(snap, 0, sizeof *snap);
	cr_assert_eq(lp_register_cred_foreach(r, snap_cb, snap), LP_OK);
	/* Status-list entries are never shared. */
	for (size_t i = 0; i < snap->n; i++)
		for (size_t j = i + 1; j < snap->n; j++)
			cr_assert_neq(snap->idx[i], snap->idx[j], "status index %llu used twice",
				      (unsigned long long)snap->idx[i]);
	lp_register_close(r);
	free(p);
}

static int snap_find(const struct reg_snapshot *s, const char *cti)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->cti[i], cti) == 0)
			return (int)i;
	return -1;
}

/* The cti (hex) of a credential file, or "" when the file is absent. A file
 * that exists must be a whole credential. */
static void cred_file_cti(const char *path, char cti[LP_REG_CTI_MAX + 1])
{
	cti[0] = 0;
	if (access(path, F_OK) != 0)
		return;
	size_t n;
	char *b = lpt_read_file(path, &n);
	lp_sdcwt_verify_params p;
	memset(&p, 0, sizeof p);
	hh_verifier v;
	hh_verifier_init_empty(&v);
	/* Parse without trusting: the resolver refuses, but the cti is read
	 * before the issuer key is asked for. */
	lp_sdcwt_result r;
	lp_err e = lp_sdcwt_verify_credential(lp_view_of((const uint8_t *)b, n), &v.p, &r);
	cr_assert(e == LP_ERR_UNTRUSTED, "%s is not a whole credential: %s", path, lp_err_code(e));
	cr_assert_eq(r.cti_len, LP_CTI_BYTES);
	sodium_bin2hex(cti, LP_REG_CTI_MAX + 1, r.cti, r.cti_len);
	lp_sdcwt_result_free(&r);
	hh_verifier_free(&v);
	free(b);
}

/* Issue once normally; returns its cti in cti. */
static void issue_ok(struct school *s, char cti[LP_REG_CTI_MAX + 1])
{
	char *out = lpt_fmt("%s/ok-%d.cred", s->dir, s->issued++);
	const char *argv[] = ISSUE_ARGV(s, out);
	struct trace_opts o = { 0 };
	struct trace_result r = trace_run(argv, &o, false);
	cr_assert_eq(r.status, 0, "issue: %s", r.err);
	cred_file_cti(out, cti);
	cr_assert_neq(cti[0], 0);
	free(out);
}

TestSuite(crash, .timeout = 600);

/* Kill `issue` at every write (and a spread of other syscalls). With strict
 * false, a credential file that exists without its register record is
 * counted rather than failed (the other checks still fail). */
static void issue_kills(bool strict)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct school s;
	school_init(&s);
	char committed[256][LP_REG_CTI_MAX + 1];
	size_t ncommitted = 0;
	issue_ok(&s, committed[ncommitted++]);

	char *dry_out = lpt_fmt("%s/dry.cred", s.dir);
	const char *dargv[] = ISSUE_ARGV(&s, dry_out);
	struct trace_opts o = { 0 };
	struct trace_result dry = trace_run(dargv, &o, true);
	cr_assert_eq(dry.status, 0, "%s", dry.err);
	cred_file_cti(dry_out, committed[ncommitted++]);
	long *pts;
	size_t npts = kill_points(&dry, 110, &pts);
	cr_log_info("issue: %ld syscall stops, %zu kill points", dry.stops, npts);
	size_t orphans = 0, recorded = 0, nothing = 0;
	for (size_t k = 0; k < npts; k++) {
		char *out = lpt_fmt("%s/killed-%zu.cred", s.dir, k);
		const char *argv[] = ISSUE_ARGV(&s, out);
		struct trace_opts ko = { .kill_at = pts[k] };
		struct trace_result r = trace_run(argv, &ko, false);
		cr_assert(r.killed || r.status == 0, "kill point %ld: exit %d: %s", pts[k], r.status, r.err);
		struct reg_snapshot snap;
		reg_snapshot(&s, &snap);
		/* Nothing committed before is lost or changed. */
		for (size_t i = 0; i < ncommitted; i++) {
			int at = snap_find(&snap, committed[i]);
			cr_assert_geq(at, 0, "kill at stop %ld lost credential %s", pts[k], committed[i]);
			cr_assert_eq(snap.status[at], LP_STATUS_VALID);
		}
		cr_assert_eq(snap.n, ncommitted + (snap.n > ncommitted), "more than one new record");
		/* A credential file that exists is whole and recorded in the
		 * register: a signed credential the school does not know of cannot
		 * be revoked, and its status entry is handed out again. */
		char cti[LP_REG_CTI_MAX + 1];
		cred_file_cti(out, cti);
		if (cti[0] && snap_find(&snap, cti) < 0) {
			orphans++;
			cr_assert_not(strict,
				      "kill at stop %ld (of %ld, syscall %ld): %s exists but the register "
				      "does not know its credential %s",
				      pts[k], dry.stops, dry.nr[pts[k]], out, cti);
		}
		if (snap.n > ncommitted) {
			recorded++;
			snprintf(committed[ncommitted++], LP_REG_CTI_MAX + 1, "%s", snap.cti[snap.n - 1]);
		} else if (!cti[0]) {
			nothing++;
		}
		/* The store is not wedged: the next issue works. */
		cr_assert_lt(ncommitted + 1, 256);
		issue_ok(&s, committed[ncommitted++]);
		free(out);
	}
	cr_log_info("issue kills: %zu left nothing, %zu recorded the credential, %zu left an "
		    "unrecorded credential file", nothing, recorded, orphans);
	free(pts);
	free(dry.nr);
	free(dry_out);
	school_free(&s);
}

/* Killed anywhere, a credential file under the name the operator asked
 * for is always recorded in the register. (Found by this suite: issue used
 * to write the file before the commit, so a kill in between left a signed
 * credential the register did not know, whose status index went to the
 * next credential.) */
Test(crash, issuer_issue_killed_at_every_write)
{
	issue_kills(true);
}

/* ---- issue-batch ------------------------------------------------------------------ */

#define BATCH_ROWS 12

/* Twelve learners for the school's template. */
static char *batch_csv(const struct school *s)
{
	char *csv = lpt_fmt("%s/learners.csv", s->dir);
	char text[2048];
	size_t o = (size_t)snprintf(text, sizeof text, "studentId,fullName,dateOfBirth,grade\r\n");
	for (int i = 0; i < BATCH_ROWS; i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "S%03d,Leerling %d,2004-02-%02d,\"7,%d\"\r\n", i + 1,
				      i + 1, i + 1, i % 10);
	cr_assert_lt(o, sizeof text);
	lpt_write_file(csv, text, o);
	return csv;
}

/* Small chunks and two threads: several chunks in flight, as in a large
 * batch. */
#define BATCH_ARGV(store, csv, outd, pass)                                                              \
	{ "leerpas-issuer", "issue-batch", "--dir", (store), "--template", "basis-python", "--csv", (csv), \
	  "--out-dir", (outd), "--passphrase-file", (pass), "--chunk", "3", "--threads", "2", NULL }

static void copy_tree(const char *from, const char *to)
{
	lpt_run r = lpt_run_args(NULL, "/bin/cp", "-a", from, to, NULL);
	cr_assert_eq(r.status, 0, "cp -a %s %s: %s", from, to, r.err);
	lpt_run_free(&r);
}

/* Every file of outd under its final name is a whole credential that the
 * register of store knows, and no status entry is shared. Counts those
 * files, the .tmp files and the register's records. */
static void batch_check(const char *store, const char *outd, const char *when, size_t *nfinal, size_t *ntmp,
			size_t *nrec)
{
	static struct reg_snapshot snap;
	struct school view;
	memset(&view, 0, sizeof view);
	view.store = (char *)store;
	reg_snapshot(&view, &snap);
	*nrec = snap.n;
	*nfinal = *ntmp = 0;
	DIR *d = opendir(outd);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0) {
			(*ntmp)++;
		} else if (l > 5 && strcmp(e->d_name + l - 5, ".cred") == 0) {
			char *p = lpt_fmt("%s/%s", outd, e->d_name);
			char cti[LP_REG_CTI_MAX + 1];
			cred_file_cti(p, cti);
			cr_assert(snap_find(&snap, cti) >= 0, "%s: %s holds credential %s, which the register does not know",
				  when, p, cti);
			free(p);
			(*nfinal)++;
		}
	}
	closedir(d);
}

/* issue-batch signs in worker threads while the main thread records the
 * previous chunk (its own transaction for the status entries, then one
 * for the rows: sync, commit, rename). Killed at any of the main thread's
 * writes, syncs and renames (the workers' writes fall in between), no file
 * under a final name holds a credential the register does not know, no
 * status entry is shared, and running the batch again issues every row
 * exactly once and leaves no .tmp file. */
Test(crash, issuer_batch_killed_at_every_write)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct school s;
	school_init(&s);
	char *csv = batch_csv(&s), *base = lpt_fmt("%s/base", s.dir);
	copy_tree(s.store, base);

	char *dstore = lpt_fmt("%s/dry-store", s.dir), *dout = lpt_fmt("%s/dry-out", s.dir);
	copy_tree(base, dstore);
	const char *dargv[] = BATCH_ARGV(dstore, csv, dout, s.pass);
	struct trace_opts o = { 0 };
	struct trace_result dry = trace_run(dargv, &o, true);
	cr_assert_eq(dry.status, 0, "%s", dry.err);
	size_t nf, nt, nr;
	batch_check(dstore, dout, "the run to the end", &nf, &nt, &nr);
	cr_assert_eq(nf, BATCH_ROWS);
	cr_assert_eq(nt, 0);
	cr_assert_eq(nr, BATCH_ROWS);
	long *pts;
	size_t npts = kill_points(&dry, 100, &pts);
	cr_log_info("issue-batch: %ld syscall stops, %zu kill points", dry.stops, npts);
	size_t partial = 0;
	for (size_t k = 0; k < npts; k++) {
		char *store = lpt_fmt("%s/store-%zu", s.dir, k), *outd = lpt_fmt("%s/out-%zu", s.dir, k),
		     *when = lpt_fmt("killed at stop %ld (of %ld)", pts[k], dry.stops);
		copy_tree(base, store);
		const char *argv[] = BATCH_ARGV(store, csv, outd, s.pass);
		struct trace_opts ko = { .kill_at = pts[k] };
		struct trace_result r = trace_run(argv, &ko, false);
		cr_assert(r.killed || r.status == 0, "%s: exit %d: %s", when, r.status, r.err);
		batch_check(store, outd, when, &nf, &nt, &nr);
		partial += nr > 0 && nr < BATCH_ROWS;
		lpt_run rr = lpt_run_args(NULL, "leerpas-issuer", "issue-batch", "--dir", store, "--template",
					  "basis-python", "--csv", csv, "--out-dir", outd, "--passphrase-file", s.pass,
					  "--chunk", "3", NULL);
		cr_assert_eq(rr.status, 0, "%s, the rerun: exit %d: %s", when, rr.status, rr.err);
		cr_assert_null(strstr(rr.err, "is not there"), "%s: a recorded credential lost its file: %s", when,
			       rr.err);
		lpt_run_free(&rr);
		batch_check(store, outd, when, &nf, &nt, &nr);
		cr_assert_eq(nf, BATCH_ROWS, "%s: %zu files after the rerun", when, nf);
		cr_assert_eq(nr, BATCH_ROWS, "%s: %zu records after the rerun", when, nr);
		cr_assert_eq(nt, 0, "%s: %zu .tmp files left after the rerun", when, nt);
		lpt_run rm = lpt_run_args(NULL, "/bin/rm", "-rf", store, outd, NULL);
		lpt_run_free(&rm);
		free(store);
		free(outd);
		free(when);
	}
	cr_log_info("issue-batch kills: %zu of %zu left some rows recorded and others not", partial, npts);
	free(pts);
	free(dry.nr);
	free(csv);
	free(base);
	free(dstore);
	free(dout);
	school_free(&s);
}

/* ---- revoke, status publish ------------------------------------------------------- */

static int run_plain(const char *const *argv, const struct trace_opts *o, char *err, size_t cap)
{
	struct trace_result r = trace_run(argv, o, false);
	if (err)
		snprintf(err, cap, "%s", r.err);
	return r.status;
}

Test(crash, issuer_revoke_killed_at_every_write)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct school s;
	school_init(&s);
	enum { N = 45 };
	static char cti[N][LP_REG_CTI_MAX + 1];
	for (int i = 0; i < N; i++)
		issue_ok(&s, cti[i]);
	const char *dargv[] = { "leerpas-issuer", "revoke", "--dir", s.store, cti[0], "--reason", "fraude", NULL };
	struct trace_opts o = { 0 };
	struct trace_result dry = trace_run(dargv, &o, true);
	cr_assert_eq(dry.status, 0, "%s", dry.err);
	long *pts;
	size_t npts = kill_points(&dry, N - 1, &pts);
	cr_log_info("revoke: %ld syscall stops, %zu kill points", dry.stops, npts);
	unsigned expect[N];
	expect[0] = LP_STATUS_INVALID;
	for (int i = 1; i < N; i++)
		expect[i] = LP_STATUS_VALID;
	size_t changed = 0;
	for (size_t k = 0; k < npts; k++) {
		const char *target = cti[k + 1];
		const char *argv[] = { "leerpas-issuer", "revoke", "--dir", s.store, target, "--reason", "fraude", NULL };
		struct trace_opts ko = { .kill_at = pts[k] };
		(void)trace_run(argv, &ko, false);
		struct reg_snapshot snap;
		reg_snapshot(&s, &snap);
		cr_assert_eq(snap.n, N);
		for (int i = 0; i < N; i++) {
			int at = snap_find(&snap, cti[i]);
			cr_assert_geq(at, 0);
			if (i == (int)k + 1) {
				/* old or new, nothing else */
				cr_assert(snap.status[at] == LP_STATUS_VALID || snap.status[at] == LP_STATUS_INVALID);
				changed += snap.status[at] == LP_STATUS_INVALID;
			} else {
				cr_assert_eq(snap.status[at], expect[i], "kill at %ld changed credential %d", pts[k], i);
			}
		}
		/* Finishing the job works and leaves it revoked. */
		char err[4096];
		int st = run_plain(argv, &o, err, sizeof err);
		cr_assert(st == 0 || st == 1, "revoke after a kill: exit %d: %s", st, err);
		reg_snapshot(&s, &snap);
		cr_assert_eq(snap.status[snap_find(&snap, target)], LP_STATUS_INVALID);
		expect[k + 1] = LP_STATUS_INVALID;
	}
	cr_log_info("revoke kills: %zu of %zu had already committed", changed, npts);
	free(pts);
	free(dry.nr);
	school_free(&s);
}

/* The school's public key, from its exported description, in a verifier
 * (for checking status lists the issuer writes). */
static void school_verifier(const struct school *s, hh_verifier *v)
{
	char *desc = lpt_fmt("%s/export.json", s->dir);
	unlink(desc);
	lpt_run r = lpt_run_args(NULL, "leerpas-issuer", "export", "--dir", s->store, "--out", desc, NULL);
	cr_assert_eq(r.status, 0, "export: %s", r.err);
	lpt_run_free(&r);
	size_t n;
	char *j = lpt_read_file(desc, &n);
	hh_verifier_init_empty(v);
	lp_diag d = { 0 };
	cr_assert_eq(lp_trust_pin(v->ts, lp_view_of((const uint8_t *)j, n), &d), LP_OK, "%s", d.msg);
	free(j);
	free(desc);
}

/* Which credentials a status list file suspends, as a bit mask over cti[]
 * (by status index); -1 when the file is absent. A file that exists must
 * verify with the school's key. */
static long status_file_mask(const hh_verifier *v, const char *path, const uint64_t *idx, int n)
{
	if (access(path, F_OK) != 0)
		return -1;
	size_t len;
	char *b = lpt_read_file(path, &len);
	lp_status_token tok;
	char *who = NULL;
	lp_diag d = { 0 };
	lp_err e = lp_trust_verify_status(v->ts, lp_view_of((const uint8_t *)b, len), 0, &tok, &who, &d);
	cr_assert_eq(e, LP_OK, "%s is not a whole, signed status list: %s", path, d.msg);
	long mask = 0;
	for (int i = 0; i < n; i++) {
		unsigned st = 0;
		cr_assert_eq(lp_status_list_get(&tok.list, idx[i], &st), LP_OK);
		if (st == LP_STATUS_SUSPENDED)
			mask |= 1L << i;
	}
	lp_status_token_free(&tok);
	free(who);
	free(b);
	return mask;
}

Test(crash, issuer_status_publish_killed_at_every_write)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct school s;
	school_init(&s);
	enum { N = 8 };
	char cti[N][LP_REG_CTI_MAX + 1];
	uint64_t idx[N];
	for (int i = 0; i < N; i++)
		issue_ok(&s, cti[i]);
	struct reg_snapshot snap;
	reg_snapshot(&s, &snap);
	for (int i = 0; i < N; i++)
		idx[i] = snap.idx[snap_find(&snap, cti[i])];
	hh_verifier v;
	school_verifier(&s, &v);
	char *out = lpt_fmt("%s/status.cwt", s.dir);
	const char *argv[] = { "leerpas-issuer", "status", "publish", "--dir", s.store, "--out", out,
			       "--passphrase-file", s.pass, NULL };
	struct trace_opts o = { 0 };
	struct trace_result dry = trace_run(argv, &o, true);
	cr_assert_eq(dry.status, 0, "%s", dry.err);
	cr_assert_eq(status_file_mask(&v, out, idx, N), 0);
	long *pts;
	size_t npts = kill_points(&dry, 60, &pts);
	long published = 0;
	size_t old_seen = 0, new_seen = 0;
	for (size_t k = 0; k < npts; k++) {
		/* Suspend or reinstate one credential, then publish and kill: the
		 * file is the old list or the new one, whole and signed. */
		int target = (int)(k % N);
		bool suspend = !(published & (1L << target));
		const char *rv[] = { "leerpas-issuer", suspend ? "suspend" : "reinstate", "--dir", s.store,
				     cti[target], NULL };
		char err[4096];
		cr_assert_eq(run_plain(rv, &o, err, sizeof err), 0, "%s", err);
		long want = published ^ (1L << target);
		struct trace_opts ko = { .kill_at = pts[k] };
		(void)trace_run(argv, &ko, false);
		long got = status_file_mask(&v, out, idx, N);
		cr_assert(got == published || got == want,
			  "status file after a kill at %ld: %lx (old %lx, new %lx)", pts[k], got, published,
			  want);
		old_seen += got == published;
		new_seen += got == want;
		cr_assert_eq(run_plain(argv, &o, err, sizeof err), 0, "publish after a kill: %s", err);
		cr_assert_eq(status_file_mask(&v, out, idx, N), want);
		published = want;
	}
	cr_log_info("status publish kills: %zu left the old list, %zu the new one", old_seen, new_seen);
	hh_verifier_free(&v);
	free(pts);
	free(dry.nr);
	free(out);
	school_free(&s);
}

/* ---- full disk, read-only directory ------------------------------------------------- */

static uint8_t *file_bytes(const char *path, size_t *n)
{
	return (uint8_t *)lpt_read_file(path, n);
}

Test(crash, issuer_full_disk_leaves_the_register_intact)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct school s;
	school_init(&s);
	char first[LP_REG_CTI_MAX + 1];
	issue_ok(&s, first);
	static const rlim_t limits[] = { 1, 512, 1024, 2048, 4096, 8192, 16384, 32768 };
	size_t refused = 0;
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		struct reg_snapshot before, after;
		reg_snapshot(&s, &before);
		char *out = lpt_fmt("%s/full-%zu.cred", s.dir, i);
		const char *argv[] = ISSUE_ARGV(&s, out);
		struct trace_opts o = { .fsize = limits[i] };
		struct trace_result r = trace_run(argv, &o, false);
		reg_snapshot(&s, &after);
		char cti[LP_REG_CTI_MAX + 1];
		cred_file_cti(out, cti);
		if (r.status == 0) {
			cr_assert_neq(cti[0], 0);
			cr_assert_geq(snap_find(&after, cti), 0);
		} else {
			refused++;
			cr_assert_eq(r.status, 2, "limit %llu: exit %d: %s", (unsigned long long)limits[i], r.status,
				     r.err);
			cr_assert_eq(cti[0], 0, "a refused issue left %s", out);
			cr_assert_eq(after.n, before.n, "a refused issue changed the register");
			cr_assert_gt(strlen(r.err), 20, "no message");
		}
		free(out);
	}
	cr_assert_gt(refused, 0, "no limit made issue fail");
	/* After the disk has room again, everything works. */
	char again[LP_REG_CTI_MAX + 1];
	issue_ok(&s, again);
	school_free(&s);
}

/* A read-only store directory (tests run as root, for whom permission bits
 * do not stop writes: a read-only bind mount in a private mount namespace
 * does). */
Test(crash, issuer_read_only_store_is_reported_and_untouched)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct school s;
	school_init(&s);
	char first[LP_REG_CTI_MAX + 1];
	issue_ok(&s, first);
	/* Probe: can this machine make a read-only bind mount? */
	const char *probe[] = { "leerpas-issuer", "list", "--dir", s.store, NULL };
	struct trace_opts po = { .ro_dir = s.store };
	struct trace_result pr = trace_run(probe, &po, false);
	if (pr.status == 122) {
		cr_skip("no read-only bind mount possible here (needs CAP_SYS_ADMIN): not tested");
		school_free(&s);
		return;
	}
	char *reg = lpt_fmt("%s/register.db", s.store);
	size_t n0, n1;
	uint8_t *b0 = file_bytes(reg, &n0);
	char *out = lpt_fmt("%s/ro.cred", s.dir);
	const char *argv[] = ISSUE_ARGV(&s, out);
	struct trace_opts o = { .ro_dir = s.store };
	struct trace_result r = trace_run(argv, &o, false);
	cr_assert_eq(r.status, 2, "issue into a read-only store: exit %d: %s", r.status, r.err);
	cr_assert_gt(strlen(r.err), 20);
	cr_assert_neq(access(out, F_OK), 0, "a refused issue left its credential file");
	uint8_t *b1 = file_bytes(reg, &n1);
	cr_assert(n0 == n1 && memcmp(b0, b1, n0) == 0, "the register changed");
	const char *rv[] = { "leerpas-issuer", "revoke", "--dir", s.store, first, NULL };
	r = trace_run(rv, &o, false);
	cr_assert_eq(r.status, 2, "revoke in a read-only store: exit %d: %s", r.status, r.err);
	free(b1);
	b1 = file_bytes(reg, &n1);
	cr_assert(n0 == n1 && memcmp(b0, b1, n0) == 0, "the register changed");
	struct reg_snapshot snap;
	reg_snapshot(&s, &snap);
	cr_assert_eq(snap.status[snap_find(&snap, first)], LP_STATUS_VALID);
	free(b0);
	free(b1);
	free(out);
	free(reg);
	school_free(&s);
}

/* ---- the wallet ------------------------------------------------------------------------ */

struct learner {
	struct school school;
	char *wallet, *pass, *passtext;
	int nreq;
};

static void set_pass(struct learner *l, const char *text)
{
	free(l->passtext);
	l->passtext = strdup(text);
	char *line = lpt_fmt("%s\n", text);
	lpt_write_file(l->pass, line, strlen(line));
	chmod(l->pass, 0600);
	free(line);
}

static void learner_init(struct learner *l)
{
	memset(l, 0, sizeof *l);
	school_init(&l->school);
	l->wallet = lpt_fmt("%s/wallet.lpw", l->school.dir);
	l->pass = lpt_fmt("%s/wallet.pass", l->school.dir);
	set_pass(l, "mijn geheime zin");
	lpt_run r = lpt_run_args(NULL, "leerpas-wallet", "init", "--wallet", l->wallet, "--passphrase-file",
				 l->pass, "--kdf-ops", "1", "--kdf-mem-mib", "8", NULL);
	cr_assert_eq(r.status, 0, "wallet init: %s", r.err);
	lpt_run_free(&r);
}

static void learner_free(struct learner *l)
{
	school_free(&l->school);
	free(l->wallet);
	free(l->pass);
	free(l->passtext);
}

/* A credential bound to a fresh key of the wallet: request, issue. Returns
 * the credential file path (owned). */
static char *bound_credential(struct learner *l)
{
	int k = l->nreq++;
	char *req = lpt_fmt("%s/req-%d", l->school.dir, k), *cred = lpt_fmt("%s/cred-%d", l->school.dir, k);
	lpt_run r = lpt_run_args(NULL, "leerpas-wallet", "request", "--issuer", HH_ISS, "--out", req,
				 "--wallet", l->wallet, "--passphrase-file", l->pass, NULL);
	cr_assert_eq(r.status, 0, "wallet request: %s", r.err);
	lpt_run_free(&r);
	r = lpt_run_args(NULL, "leerpas-issuer", "issue", "--dir", l->school.store, "--template",
			 "basis-python", "--claims", l->school.claims, "--request", req, "--out", cred,
			 "--passphrase-file", l->school.pass, NULL);
	cr_assert_eq(r.status, 0, "issue: %s", r.err);
	lpt_run_free(&r);
	free(req);
	return cred;
}

/* What an opened wallet holds. */
struct wsnap {
	size_t ncred, nkeys, nlog;
	char ids[128][LP_WALLET_ID_MAX + 1];
};

/* Open the wallet with passphrase text; false when that passphrase does not
 * open it (LP_ERR_PASSPHRASE); any other failure fails the test. */
static bool wallet_snapshot(const char *path, const char *pass, struct wsnap *ws)
{
	lp_wallet *w = NULL;
	lp_diag d = { 0 };
	lp_err e = lp_wallet_open(path, lp_view_of((const uint8_t *)pass, strlen(pass)), &w, &d);
	if (e == LP_ERR_PASSPHRASE)
		return false;
	cr_assert_eq(e, LP_OK, "the wallet does not open: %s: %s", lp_err_code(e), d.msg);
	memset(ws, 0, sizeof *ws);
	ws->ncred = lp_wallet_cred_count(w);
	ws->nkeys = lp_wallet_key_count(w);
	ws->nlog = lp_wallet_log_count(w);
	cr_assert_leq(ws->ncred, 128);
	for (size_t i = 0; i < ws->ncred; i++)
		snprintf(ws->ids[i], sizeof ws->ids[i], "%s", lp_wallet_cred_at(w, i)->id);
	lp_wallet_close(w);
	return true;
}

static bool wsnap_has(const struct wsnap *ws, const char *id)
{
	for (size_t i = 0; i < ws->ncred; i++)
		if (strcmp(ws->ids[i], id) == 0)
			return true;
	return false;
}

static struct trace_result wallet_run(const char *const *argv, long kill_at,
				      const char *stdout_path)
{
	struct trace_opts o = { .kill_at = kill_at, .stdout_path = stdout_path };
	return trace_run(argv, &o, kill_at < 0);
}

#define IMPORT_ARGV(l, cred, id)                                                          \
	{ "leerpas-wallet", "import", (cred), "--id", (id), "--wallet", (l)->wallet,           \
	  "--passphrase-file", (l)->pass, NULL }

Test(crash, wallet_import_killed_at_every_write)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct learner l;
	learner_init(&l);
	enum { K = 60 };
	char *creds[K + 1];
	for (int i = 0; i <= K; i++)
		creds[i] = bound_credential(&l);
	/* A committed credential first, and the dry run. */
	const char *a0[] = IMPORT_ARGV(&l, creds[0], "mc-0");
	struct trace_result dry = wallet_run(a0, -1, NULL);
	cr_assert_eq(dry.status, 0, "%s", dry.err);
	long *pts;
	size_t npts = kill_points(&dry, K, &pts);
	struct wsnap ws;
	cr_assert(wallet_snapshot(l.wallet, l.passtext, &ws));
	cr_assert_eq(ws.ncred, 1);
	size_t committed = 1, keys = ws.nkeys, took = 0;
	for (size_t k = 0; k < npts; k++) {
		char id[32];
		snprintf(id, sizeof id, "mc-%zu", k + 1);
		const char *argv[] = IMPORT_ARGV(&l, creds[k + 1], id);
		(void)wallet_run(argv, pts[k], NULL);
		cr_assert(wallet_snapshot(l.wallet, l.passtext, &ws), "passphrase no longer opens the wallet");
		cr_assert(ws.ncred == committed || ws.ncred == committed + 1,
			  "kill at %ld: %zu credentials, expected %zu or %zu", pts[k], ws.ncred, committed,
			  committed + 1);
		cr_assert_eq(ws.nkeys, keys, "kill at %ld changed the holder keys", pts[k]);
		for (size_t i = 0; i < committed; i++) {
			char prev[32];
			snprintf(prev, sizeof prev, "mc-%zu", i);
			cr_assert(wsnap_has(&ws, prev), "kill at %ld lost %s", pts[k], prev);
		}
		took += ws.ncred == committed + 1;
		if (ws.ncred == committed) {
			/* Not taken: importing again works. */
			struct trace_result r = wallet_run(argv, 0, NULL);
			cr_assert_eq(r.status, 0, "import after a kill: %s", r.err);
		}
		committed++;
		cr_assert(wallet_snapshot(l.wallet, l.passtext, &ws));
		cr_assert_eq(ws.ncred, committed);
	}
	cr_log_info("import: %ld syscall stops, %zu kill points, %zu had committed", dry.stops, npts, took);
	for (int i = 0; i <= K; i++)
		free(creds[i]);
	free(pts);
	free(dry.nr);
	learner_free(&l);
}

Test(crash, wallet_present_killed_at_every_write)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct learner l;
	learner_init(&l);
	char *cred = bound_credential(&l);
	const char *ia[] = IMPORT_ARGV(&l, cred, "py");
	cr_assert_eq(wallet_run(ia, 0, NULL).status, 0);
	char *outp = lpt_fmt("%s/present.out", l.school.dir);
	const char *argv[] = { "leerpas-wallet", "present", "py", "--show", "fullName", "--text", "--yes",
			       "--audience", HH_AUD, "--wallet", l.wallet, "--passphrase-file", l.pass, NULL };
	struct trace_result dry = wallet_run(argv, -1, outp);
	cr_assert_eq(dry.status, 0, "%s", dry.err);
	long *pts;
	size_t npts = kill_points(&dry, 60, &pts);
	struct wsnap ws;
	cr_assert(wallet_snapshot(l.wallet, l.passtext, &ws));
	size_t logged = ws.nlog, shown_unlogged = 0, logged_by_kill = 0;
	cr_assert_eq(logged, 1);
	for (size_t k = 0; k < npts; k++) {
		unlink(outp);
		(void)wallet_run(argv, pts[k], outp);
		cr_assert(wallet_snapshot(l.wallet, l.passtext, &ws));
		cr_assert_eq(ws.ncred, 1, "kill at %ld: the credential is gone", pts[k]);
		cr_assert(ws.nlog == logged || ws.nlog == logged + 1, "kill at %ld: log %zu, expected %zu or %zu",
			  pts[k], ws.nlog, logged, logged + 1);
		/* A presentation that came out is in the learner's log. */
		size_t n = 0;
		char *o = access(outp, F_OK) == 0 ? lpt_read_file(outp, &n) : NULL;
		if (o && strstr(o, "LP1:") && ws.nlog == logged)
			shown_unlogged++;
		free(o);
		logged_by_kill += ws.nlog == logged + 1;
		logged = ws.nlog;
	}
	cr_assert_eq(shown_unlogged, 0, "%zu presentations came out without a log entry", shown_unlogged);
	cr_log_info("present: %ld syscall stops, %zu kill points, %zu logged", dry.stops, npts, logged_by_kill);
	free(pts);
	free(dry.nr);
	free(outp);
	free(cred);
	learner_free(&l);
}

Test(crash, wallet_passwd_killed_at_every_write)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct learner l;
	learner_init(&l);
	char *cred = bound_credential(&l);
	const char *ia[] = IMPORT_ARGV(&l, cred, "py");
	cr_assert_eq(wallet_run(ia, 0, NULL).status, 0);
	char *newp = lpt_fmt("%s/new.pass", l.school.dir);
	const char *argv[] = { "leerpas-wallet", "passwd", "--new-passphrase-file", newp, "--kdf-ops", "1",
			       "--kdf-mem-mib", "8", "--wallet", l.wallet, "--passphrase-file", l.pass, NULL };
	/* Dry run: to "nieuwe zin 0". */
	lpt_write_file(newp, "nieuwe zin 0\n", 13);
	chmod(newp, 0600);
	struct trace_result dry = wallet_run(argv, -1, NULL);
	cr_assert_eq(dry.status, 0, "%s", dry.err);
	set_pass(&l, "nieuwe zin 0");
	long *pts;
	size_t npts = kill_points(&dry, 50, &pts);
	size_t to_new = 0;
	for (size_t k = 0; k < npts; k++) {
		char *next = lpt_fmt("nieuwe zin %zu", k + 1), *line = lpt_fmt("%s\n", next);
		lpt_write_file(newp, line, strlen(line));
		(void)wallet_run(argv, pts[k], NULL);
		struct wsnap ws_old, ws_new;
		bool old_ok = wallet_snapshot(l.wallet, l.passtext, &ws_old);
		bool new_ok = wallet_snapshot(l.wallet, next, &ws_new);
		cr_assert(old_ok != new_ok, "kill at %ld: old passphrase %s, new %s", pts[k],
			  old_ok ? "opens" : "fails", new_ok ? "opens" : "fails");
		const struct wsnap *ws = old_ok ? &ws_old : &ws_new;
		cr_assert_eq(ws->ncred, 1);
		cr_assert_eq(ws->nkeys, 1);
		if (new_ok) {
			set_pass(&l, next);
			to_new++;
		}
		free(next);
		free(line);
	}
	cr_log_info("passwd: %ld syscall stops, %zu kill points, %zu had committed", dry.stops, npts, to_new);
	free(pts);
	free(dry.nr);
	free(newp);
	free(cred);
	learner_free(&l);
}

Test(crash, wallet_backup_killed_at_every_write)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct learner l;
	learner_init(&l);
	char *cred = bound_credential(&l);
	const char *ia[] = IMPORT_ARGV(&l, cred, "py");
	cr_assert_eq(wallet_run(ia, 0, NULL).status, 0);
	size_t n0;
	uint8_t *before = file_bytes(l.wallet, &n0);
	char *dry_out = lpt_fmt("%s/backup-dry", l.school.dir);
	const char *dargv[] = { "leerpas-wallet", "backup", "--out", dry_out, "--wallet", l.wallet,
				"--passphrase-file", l.pass, NULL };
	struct trace_result dry = wallet_run(dargv, -1, NULL);
	cr_assert_eq(dry.status, 0, "%s", dry.err);
	long *pts;
	size_t npts = kill_points(&dry, 50, &pts);
	size_t whole = 0;
	for (size_t k = 0; k < npts; k++) {
		char *out = lpt_fmt("%s/backup-%zu", l.school.dir, k);
		const char *argv[] = { "leerpas-wallet", "backup", "--out", out, "--wallet", l.wallet,
				       "--passphrase-file", l.pass, NULL };
		(void)wallet_run(argv, pts[k], NULL);
		size_t n1;
		uint8_t *after = file_bytes(l.wallet, &n1);
		cr_assert(n0 == n1 && memcmp(before, after, n0) == 0, "kill at %ld: backup changed the wallet",
			  pts[k]);
		free(after);
		/* The backup is absent or whole. */
		if (access(out, F_OK) == 0) {
			struct wsnap ws;
			cr_assert(wallet_snapshot(out, l.passtext, &ws), "backup does not open");
			cr_assert_eq(ws.ncred, 1);
			whole++;
		}
		free(out);
	}
	cr_log_info("backup: %ld syscall stops, %zu kill points, %zu left a whole backup", dry.stops, npts, whole);
	free(before);
	free(pts);
	free(dry.nr);
	free(dry_out);
	free(cred);
	learner_free(&l);
}

/* The wallet file and its previous generation, byte for byte. */
struct wfiles {
	uint8_t *cur, *prev;
	size_t ncur, nprev;
};

static void wfiles_read(const struct learner *l, struct wfiles *f)
{
	char *prev = lpt_fmt("%s.prev", l->wallet);
	f->cur = file_bytes(l->wallet, &f->ncur);
	f->prev = access(prev, F_OK) == 0 ? file_bytes(prev, &f->nprev) : NULL;
	if (!f->prev)
		f->nprev = 0;
	free(prev);
}

static void wfiles_same(const struct wfiles *a, const struct wfiles *b, const char *what)
{
	cr_assert(a->ncur == b->ncur && memcmp(a->cur, b->cur, a->ncur) == 0, "%s changed the wallet", what);
	cr_assert(a->nprev == b->nprev && (!a->nprev || memcmp(a->prev, b->prev, a->nprev) == 0),
		  "%s changed the previous generation", what);
}

static void wfiles_free(struct wfiles *f)
{
	free(f->cur);
	free(f->prev);
}

Test(crash, wallet_full_disk_and_read_only_leave_it_intact)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct learner l;
	learner_init(&l);
	char *c1 = bound_credential(&l), *c2 = bound_credential(&l);
	const char *ia[] = IMPORT_ARGV(&l, c1, "een");
	cr_assert_eq(wallet_run(ia, 0, NULL).status, 0);
	struct wfiles w0, w1;
	wfiles_read(&l, &w0);
	/* Full disk: every limit below the wallet's size refuses, and nothing
	 * changes; one above lets the import through. */
	static const rlim_t limits[] = { 1, 64, 256, 1024, 2048 };
	size_t refused = 0;
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		if (limits[i] >= w0.ncur)
			continue;
		const char *argv[] = IMPORT_ARGV(&l, c2, "twee");
		struct trace_opts o = { .fsize = limits[i] };
		struct trace_result r = trace_run(argv, &o, false);
		cr_assert_eq(r.status, 2, "import with a full disk (%llu): exit %d: %s",
			     (unsigned long long)limits[i], r.status, r.err);
		cr_assert_gt(strlen(r.err), 20);
		wfiles_read(&l, &w1);
		wfiles_same(&w0, &w1, "a refused import");
		wfiles_free(&w1);
		refused++;
	}
	cr_assert_gt(refused, 0);
	/* Present (the log) and passwd with a full disk. */
	{
		const char *argv[] = { "leerpas-wallet", "present", "een", "--show", "none", "--text", "--yes",
				       "--wallet", l.wallet, "--passphrase-file", l.pass, NULL };
		struct trace_opts o = { .fsize = 64 };
		struct trace_result r = trace_run(argv, &o, false);
		cr_assert_eq(r.status, 2, "present with a full disk: exit %d: %s", r.status, r.err);
		wfiles_read(&l, &w1);
		wfiles_same(&w0, &w1, "a refused present");
		wfiles_free(&w1);
	}
	/* Read-only directory (a read-only bind mount: tests run as root). */
	const char *probe[] = { "leerpas-wallet", "list", "--wallet", l.wallet, "--passphrase-file", l.pass, NULL };
	struct trace_opts po = { .ro_dir = l.school.dir };
	if (trace_run(probe, &po, false).status == 122) {
		cr_log_info("no read-only bind mount possible here: read-only directory not tested");
	} else {
		const char *argv[] = IMPORT_ARGV(&l, c2, "twee");
		struct trace_result r = trace_run(argv, &po, false);
		cr_assert_eq(r.status, 2, "import into a read-only directory: exit %d: %s", r.status, r.err);
		cr_assert_gt(strlen(r.err), 20);
		wfiles_read(&l, &w1);
		wfiles_same(&w0, &w1, "an import into a read-only directory");
		wfiles_free(&w1);
	}
	/* Afterwards the import goes through. */
	cr_assert_eq(wallet_run((const char *[])IMPORT_ARGV(&l, c2, "twee"), 0, NULL).status, 0);
	struct wsnap ws;
	cr_assert(wallet_snapshot(l.wallet, l.passtext, &ws));
	cr_assert_eq(ws.ncred, 2);
	wfiles_free(&w0);
	free(c1);
	free(c2);
	learner_free(&l);
}

/* Wrong passphrases: no change to the files, and the same answer whatever
 * the near miss (so the answer cannot guide a guesser). Timing is not
 * asserted here (see docs/threat-model.md). */
Test(crash, wallet_wrong_passphrases_change_nothing_and_answer_alike)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct learner l;
	learner_init(&l);
	char *c1 = bound_credential(&l), *c2 = bound_credential(&l);
	cr_assert_eq(wallet_run((const char *[])IMPORT_ARGV(&l, c1, "een"), 0, NULL).status, 0);
	struct wfiles w0, w1;
	wfiles_read(&l, &w0);
	char *wrong = lpt_fmt("%s/wrong.pass", l.school.dir);
	static const char *const misses[] = { "mijn geheime zim", "mijn geheime zi", "mijn geheime zin ",
					      "Mijn geheime zin", "mijn geheime zinn", "xijn geheime zin",
					      "volkomen anders" };
	const char *cmds[][16] = {
		{ "leerpas-wallet", "list", "--wallet", l.wallet, "--passphrase-file", wrong, NULL },
		{ "leerpas-wallet", "import", c2, "--id", "twee", "--wallet", l.wallet, "--passphrase-file", wrong, NULL },
		{ "leerpas-wallet", "present", "een", "--show", "none", "--text", "--yes", "--wallet", l.wallet,
		  "--passphrase-file", wrong, NULL },
		{ "leerpas-wallet", "backup", "--out", "/nonexistent-dir/x", "--wallet", l.wallet,
		  "--passphrase-file", wrong, NULL },
	};
	for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
		char first_err[4096] = "";
		int first_status = -1;
		for (size_t m = 0; m < sizeof misses / sizeof misses[0]; m++) {
			char *line = lpt_fmt("%s\n", misses[m]);
			lpt_write_file(wrong, line, strlen(line));
			chmod(wrong, 0600);
			free(line);
			struct trace_opts o = { 0 };
			struct trace_result r = trace_run(cmds[c], &o, false);
			cr_assert_eq(r.status, 1, "%s with a wrong passphrase: exit %d: %s", cmds[c][1], r.status, r.err);
			cr_assert_null(strstr(r.err, misses[m]), "the passphrase is echoed in the error");
			if (first_status < 0) {
				first_status = r.status;
				snprintf(first_err, sizeof first_err, "%s", r.err);
				cr_assert_gt(strlen(first_err), 10);
			} else {
				cr_assert_str_eq(r.err, first_err, "%s: the answer differs for '%s'", cmds[c][1],
						 misses[m]);
			}
			wfiles_read(&l, &w1);
			wfiles_same(&w0, &w1, "a wrong passphrase");
			wfiles_free(&w1);
		}
	}
	wfiles_free(&w0);
	free(wrong);
	free(c1);
	free(c2);
	learner_free(&l);
}

/* The same for the school's signing key: near misses give one answer and
 * change neither the key file nor the register. */
Test(crash, issuer_wrong_passphrases_change_nothing_and_answer_alike)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct school s;
	school_init(&s);
	char first[LP_REG_CTI_MAX + 1];
	issue_ok(&s, first);
	char *reg = lpt_fmt("%s/register.db", s.store), *kd = lpt_fmt("%s/keys", s.store);
	DIR *d = opendir(kd);
	cr_assert_not_null(d);
	struct dirent *e;
	char *kf = NULL;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".key"))
			kf = lpt_fmt("%s/%s", kd, e->d_name);
	closedir(d);
	cr_assert_not_null(kf);
	size_t nk0, nr0;
	uint8_t *k0 = file_bytes(kf, &nk0), *r0 = file_bytes(reg, &nr0);
	char *wrong = lpt_fmt("%s/wrong.pass", s.dir), *out = lpt_fmt("%s/x.cred", s.dir),
	     *st = lpt_fmt("%s/status.cwt", s.dir), *csv = batch_csv(&s), *outd = lpt_fmt("%s/batch", s.dir);
	static const char *const misses[] = { "correct horse schoom", "correct horse schoo",
					      "correct horse school ", "Correct horse school",
					      "correct horse schooll", "iets heel anders" };
	const char *cmds[][16] = {
		ISSUE_ARGV(&s, out),
		{ "leerpas-issuer", "status", "publish", "--dir", s.store, "--out", st, "--passphrase-file", wrong, NULL },
		/* the batch unlocks the key while it reads the rows and makes
		 * their .tmp files: all of them must go again */
		{ "leerpas-issuer", "issue-batch", "--dir", s.store, "--template", "basis-python", "--csv", csv,
		  "--out-dir", outd, "--passphrase-file", wrong, "--chunk", "5", NULL },
	};
	cmds[0][13] = wrong; /* ISSUE_ARGV's passphrase file */
	cr_assert_str_eq(cmds[0][12], "--passphrase-file");
	for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
		char first_err[4096] = "";
		for (size_t m = 0; m < sizeof misses / sizeof misses[0]; m++) {
			char *line = lpt_fmt("%s\n", misses[m]);
			lpt_write_file(wrong, line, strlen(line));
			chmod(wrong, 0600);
			free(line);
			struct trace_opts o = { 0 };
			struct trace_result r = trace_run(cmds[c], &o, false);
			cr_assert_eq(r.status, 1, "%s with a wrong passphrase: exit %d: %s", cmds[c][1], r.status, r.err);
			cr_assert_null(strstr(r.err, misses[m]), "the passphrase is echoed");
			if (m == 0)
				snprintf(first_err, sizeof first_err, "%s", r.err);
			else
				cr_assert_str_eq(r.err, first_err, "%s: the answer differs for '%s'", cmds[c][1], misses[m]);
			cr_assert_neq(access(out, F_OK), 0);
			cr_assert_neq(access(st, F_OK), 0);
			DIR *bd = opendir(outd);
			for (struct dirent *be; bd && (be = readdir(bd));)
				cr_assert(be->d_name[0] == '.' && (!be->d_name[1] || !strcmp(be->d_name, "..")),
					  "issue-batch with a wrong passphrase left %s", be->d_name);
			if (bd)
				closedir(bd);
			size_t nk1, nr1;
			uint8_t *k1 = file_bytes(kf, &nk1), *r1 = file_bytes(reg, &nr1);
			cr_assert(nk0 == nk1 && memcmp(k0, k1, nk0) == 0, "the key file changed");
			cr_assert(nr0 == nr1 && memcmp(r0, r1, nr0) == 0, "the register changed");
			free(k1);
			free(r1);
		}
	}
	free(k0);
	free(r0);
	free(kf);
	free(kd);
	free(reg);
	free(wrong);
	free(out);
	free(st);
	free(csv);
	free(outd);
	school_free(&s);
}

/* restore replaces the wallet by a backup (keeping the old one as .prev):
 * killed anywhere, the wallet opens as the old wallet or as the backup. */
Test(crash, wallet_restore_killed_at_every_write)
{
	cr_assert_eq(lp_init(), LP_OK);
	struct learner l;
	learner_init(&l);
	char *c1 = bound_credential(&l);
	cr_assert_eq(wallet_run((const char *[])IMPORT_ARGV(&l, c1, "een"), 0, NULL).status, 0);
	char *backup = lpt_fmt("%s/backup.lpw", l.school.dir);
	const char *bargv[] = { "leerpas-wallet", "backup", "--out", backup, "--wallet", l.wallet,
				"--passphrase-file", l.pass, NULL };
	cr_assert_eq(wallet_run(bargv, 0, NULL).status, 0);
	/* The wallet moves on: one more credential than the backup. */
	char *c2 = bound_credential(&l);
	cr_assert_eq(wallet_run((const char *[])IMPORT_ARGV(&l, c2, "twee"), 0, NULL).status, 0);
	const char *argv[] = { "leerpas-wallet", "restore", backup, "--wallet", l.wallet, "--passphrase-file",
			       l.pass, NULL };
	/* Dry run on a copy, so that the wallet keeps its two credentials. */
	size_t n;
	char *orig = lpt_read_file(l.wallet, &n);
	struct trace_result dry = wallet_run(argv, -1, NULL);
	cr_assert_eq(dry.status, 0, "%s", dry.err);
	long *pts;
	size_t npts = kill_points(&dry, 40, &pts);
	size_t restored = 0;
	for (size_t k = 0; k < npts; k++) {
		lpt_write_file(l.wallet, orig, n); /* back to the wallet with two */
		(void)wallet_run(argv, pts[k], NULL);
		struct wsnap ws;
		cr_assert(wallet_snapshot(l.wallet, l.passtext, &ws), "kill at %ld: the wallet does not open", pts[k]);
		cr_assert(ws.ncred == 2 || ws.ncred == 1, "kill at %ld: %zu credentials", pts[k], ws.ncred);
		cr_assert(wsnap_has(&ws, "een"));
		restored += ws.ncred == 1;
	}
	cr_log_info("restore: %ld syscall stops, %zu kill points, %zu had restored", dry.stops, npts, restored);
	free(orig);
	free(pts);
	free(dry.nr);
	free(backup);
	free(c1);
	free(c2);
	learner_free(&l);
}
