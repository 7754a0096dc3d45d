/* leerpas-issuer: declarations shared by main.c (options, dispatch) and the
 * one-file-per-command implementations, plus the store helpers (store.c).
 *
 * A school's store is one directory:
 *   DIR/register.db          the SQLite register (settings in its meta table)
 *   DIR/keys/KID.key         signing keys, encrypted (0600); retired ones stay
 *   DIR/templates/NAME.json  credential templates, checked when added */
#ifndef LEERPAS_ISSUER_H
#define LEERPAS_ISSUER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cli.h"
#include "leerpas/common.h"
#include "leerpas/keyfile.h"
#include "leerpas/register.h"

#define ISSUER_REGISTER "register.db"
#define ISSUER_KEYS "keys"
#define ISSUER_TEMPLATES "templates"
#define ISSUER_MAX_TEMPLATE (256u * 1024u)
#define ISSUER_MAX_CLAIMS (256u * 1024u)
#define ISSUER_MAX_CSV (256u * 1024u * 1024u)
#define ISSUER_PATH_MAX 4096

/* A command: argc/argv start at the command's own name. */
typedef int (*issuer_cmd_fn)(int argc, char **argv);

int cmd_init(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_issue(int argc, char **argv);
int cmd_issue_batch(int argc, char **argv);
int cmd_revoke(int argc, char **argv);    /* also suspend, reinstate (by argv[0]) */
int cmd_status(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_trustlist(int argc, char **argv);
int cmd_compose(int argc, char **argv);

/* --- the store (store.c) -------------------------------------------------- */

/* An open store: the register and the school's settings. */
typedef struct issuer_store {
	char dir[ISSUER_PATH_MAX];
	lp_register *reg;
	char *id;          /* the school's identifier (iss) */
	char *name;
	char *country;
	char *status_uri;  /* where verifiers find the status list */
	lp_kdf_params kdf; /* Argon2id cost for new keys */
} issuer_store;

/* Open DIR's register and settings. On failure prints what is wrong and
 * what to do, returns the exit code (non-zero); *s is then closed. */
int store_open(issuer_store *s, const char *dir);
void store_close(issuer_store *s);

/* path = DIR/a[/b]; false (and an error printed) if too long. */
bool store_path(char *out, size_t cap, const char *dir, const char *a, const char *b);

/* Ask for the passphrase (or read --passphrase-file/--passphrase-fd) and
 * open the current signing key. Prints the error and returns its exit code
 * on failure (wrong passphrase: 1; altered key file: 1; others 2). */
int store_load_key(issuer_store *s, const cli_pass_src *src, lp_signkey *key);

/* Open a specific key (by register entry) with an already read passphrase. */
lp_err store_open_keyfile(issuer_store *s, const lp_reg_key *k, const cli_secret *pass,
			  lp_signkey *key, bool report);

/* store_load_key in three steps, for a caller that unlocks the key in
 * another thread (issue-batch). store_key_prepare finds the current key and
 * reads the passphrase (prints and returns the exit code on failure; *pass
 * is then empty). store_open_keyfile_quiet opens it without printing or
 * touching the register: safe in another thread while the register is in
 * use; on failure *key is empty and d says why. store_keyfile_report prints
 * what its failure means; store_key_exit gives the exit code for it. */
int store_key_prepare(issuer_store *s, const cli_pass_src *src, lp_reg_key *cur, cli_secret *pass);
lp_err store_open_keyfile_quiet(const issuer_store *s, const lp_reg_key *k, const cli_secret *pass,
				lp_signkey *key, lp_diag *d);
void store_keyfile_report(const issuer_store *s, const lp_reg_key *k, lp_err rc, const lp_diag *d);
int store_key_exit(lp_err rc);

/* Make a fresh key id: "YYYYMMDD-xxxxxxxx" (date of creation, random hex). */
void store_new_kid(char out[LP_KID_MAX + 1], int64_t now);

/* A template, loaded and checked. claims_json is the "claims" object as
 * compact JSON text (malloc'd); redactable is NULL when the template does
 * not say (claims' defaults). */
typedef struct issuer_template {
	char name[LP_REG_NAME_MAX + 1];
	json_t *root;
	char *claims_json;
	const char **redactable;   /* borrowed strings from root */
	size_t n_redactable;
	bool has_redactable;
	const char *vct;
	int64_t expires_after_days; /* 0: does not expire */
} issuer_template;

/* Load DIR/templates/NAME.json. Prints and returns an exit code on failure. */
int template_load(issuer_store *s, const char *name, issuer_template *t);
void template_free(issuer_template *t);
/* A name made of [a-z0-9_-], 1..64 characters. */
bool template_name_ok(const char *name);

/* Current time, Unix seconds. */
int64_t issuer_now(void);

/* Shared option values. */
typedef struct issuer_common {
	const char *dir;
	cli_pass_src pass;
	bool json;
	bool help;
} issuer_common;

/* Long options shared by the commands (ids >= 1000). */
enum {
	OPT_DIR = 1000,
	OPT_PASS_FILE,
	OPT_PASS_FD,
	OPT_JSON,
	OPT_HELP,
	OPT_FIRST_OWN = 1100
};

/* Handle a shared option: true if opt was one of them (stores it in c);
 * *bad is set when its value is unusable (error printed). */
bool common_option(issuer_common *c, int opt, const char *arg, const char *cmd, bool *bad);

/* The common options as getopt_long entries (terminated by a zero entry
 * the caller appends): --dir, --passphrase-file, --passphrase-fd, --json,
 * --help. */
#define COMMON_LONG_OPTIONS                                               \
	{ "dir", 1, NULL, OPT_DIR }, { "passphrase-file", 1, NULL, OPT_PASS_FILE }, \
	{ "passphrase-fd", 1, NULL, OPT_PASS_FD }, { "json", 0, NULL, OPT_JSON },    \
	{ "help", 0, NULL, OPT_HELP }

/* Require --dir; prints a usage error and returns false when missing. */
bool need_dir(const issuer_common *c, const char *cmd);

/* The end of a command's option parsing, the same for every command: stop
 * after an option error already reported (bad), print help for --help,
 * refuse extra arguments, require --dir. Returns the exit code to return
 * with, or -1 to go on with the command. */
int options_done(const issuer_common *c, const char *cmd, const char *help, bool bad, int argc,
		 char **argv);

/* Hex of bytes into out (2*len+1). */
void issuer_hex(char *out, const uint8_t *p, size_t len);

#endif

/* --- issuing (issuing.c), shared by issue, issue-batch and compose -------- */

#include "leerpas/cose.h"
#include "leerpas/sdcwt.h"

typedef struct issue_ctx {
	issuer_store *s;
	const issuer_template *t;
	const lp_signkey *key;
	int64_t now;
} issue_ctx;

/* Merge the template's claims with a learner's (JSON object text) and check
 * the result is complete. On failure d->msg says which claim or element;
 * *merged is empty. */
lp_err issue_merge(const issuer_template *t, const char *learner, size_t len, lp_buf *merged,
		   lp_diag *d);

/* Sign one credential over merged claims, bound to holder (NULL: unbound),
 * pointing at status entry idx. cti receives the credential id. */
lp_err issue_sign(const issue_ctx *x, const lp_buf *merged, const lp_pubkey *holder,
		  uint64_t status_idx, lp_buf *out, uint8_t cti[LP_CTI_BYTES], lp_diag *d);

/* Many credentials of one template (issue-batch): the template's claims
 * parsed once into a library template object (one per thread), then one
 * credential per learner's claims (a JSON object, the learner's alone).
 * The same credential as issue_merge + issue_sign. */
lp_err issue_template_new(const issuer_template *t, lp_sdcwt_template **out, lp_diag *d);
lp_err issue_sign_from(const issue_ctx *x, lp_sdcwt_template *tm, const char *learner, size_t len,
		       const lp_pubkey *holder, uint64_t status_idx, lp_buf *out,
		       uint8_t cti[LP_CTI_BYTES], lp_diag *d);

/* The credential file for n copies: the copy itself when n == 1, else a
 * CBOR array of the n tagged COSE_Sign1 items (docs/format/issuance.md). */
lp_err issue_pack(const lp_buf *copies, size_t n, lp_buf *out);

/* The learner reference: --learner if given, else the claims' studentId.
 * Prints the error and returns false when there is none or it is too long. */
bool issue_learner_ref(const char *opt, const char *claims_json, size_t len, char *out,
		       size_t cap);

/* A module admitted into a composed credential. */
typedef struct issue_module {
	const char *issuer;
	char cti[LP_REG_CTI_MAX + 1];
} issue_module;

/* Sign n copies (holders NULL: one unbound copy), record them (and the
 * admitted modules, refusing one already counted: exit 1) in one register
 * transaction, write OUT_PATH.tmp, commit, then link it to out_path (never
 * replacing a file): a file under out_path is always recorded. On any
 * failure before the commit nothing is issued and no file is left. recs (n entries) receive
 * what was recorded. Prints errors; returns an exit code. */
int issue_record_write(issue_ctx *x, const lp_buf *merged, const uint8_t (*holders)[LP_ED25519_PK_BYTES],
		       size_t n, const char *ref, const char *out_path, lp_reg_cred *recs,
		       const issue_module *mods, size_t nmods);

/* Print the outcome of issue_record_write (text or JSON). */
void issue_print(const issuer_common *c, const issue_ctx *x, const char *ref, const char *out_path,
		 const lp_reg_cred *recs, size_t n, bool bound, const issue_module *mods, size_t nmods);
