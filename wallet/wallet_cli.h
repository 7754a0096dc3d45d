/* leerpas-wallet internals shared by main.c and the commands (cmd_*.c):
 * common options, the wallet path, opening and saving with messages a
 * learner can act on. */
#ifndef LEERPAS_WALLET_CLI_H
#define LEERPAS_WALLET_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "leerpas/wallet.h"

typedef int (*wl_cmd_fn)(int argc, char **argv);

int cmd_init(int argc, char **argv);
int cmd_request(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_present(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_passwd(int argc, char **argv);
int cmd_remove(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* Options every command that opens the wallet accepts. */
enum {
	WL_OPT_WALLET = 1000,
	WL_OPT_PASS_FILE,
	WL_OPT_PASS_FD,
	WL_OPT_JSON,
	WL_OPT_FIRST_OWN /* commands number their own long options from here */
};

#define WL_COMMON_LONGOPTS                                              \
	{ "wallet", required_argument, NULL, WL_OPT_WALLET },           \
	{ "passphrase-file", required_argument, NULL, WL_OPT_PASS_FILE }, \
	{ "passphrase-fd", required_argument, NULL, WL_OPT_PASS_FD },   \
	{ "json", no_argument, NULL, WL_OPT_JSON },                     \
	{ "help", no_argument, NULL, 'h' }

#define WL_COMMON_HELP                                                                    \
	"  --wallet FILE            the wallet file (default: $XDG_DATA_HOME/leerpas/wallet.lpw,\n" \
	"                           or ~/.local/share/leerpas/wallet.lpw)\n"                 \
	"  --passphrase-file F      read the passphrase from the first line of F\n"           \
	"  --passphrase-fd N        read the passphrase from file descriptor N\n"             \
	"                           (without either, it is asked on the terminal)\n"

struct wl_ctx {
	const char *cmd;      /* the command word, for messages */
	char **argv;          /* for naming an unknown option */
	const char *wallet;   /* --wallet, or NULL for the default */
	char *path_buf;       /* the default path, malloc'd */
	cli_pass_src pass;
	bool json;
};

/* Start parsing: resets getopt. */
void wl_ctx_init(struct wl_ctx *c, const char *cmd, char **argv);
void wl_ctx_free(struct wl_ctx *c);

/* Handle a common option. Returns 0 if handled, -1 if opt is not common,
 * or an exit code > 0 after printing a usage error. */
int wl_common_opt(struct wl_ctx *c, int opt, const char *arg);

/* Print usage to stdout (--help) and return 0, or to stderr and return 2. */
int wl_help(const char *text, bool ok);

/* The wallet path (option or default). NULL if no default can be formed
 * (no HOME): a message has been printed. */
const char *wl_path(struct wl_ctx *c);

/* Ask for the passphrase and open the wallet. Prints what went wrong and
 * what to do (wrong passphrase, damaged file and FILE.prev, newer version).
 * Returns 0 with *w open, or the exit code. */
int wl_open(struct wl_ctx *c, lp_wallet **w);

/* Save and report; returns 0 or the exit code. */
int wl_save(lp_wallet *w);

/* Explain a failure to open a wallet file at path (shared with recover and
 * restore). Returns the exit code. */
int wl_open_failed(lp_err e, const lp_diag *d, const char *path);

/* Make the directories above path (mode 0700), like mkdir -p; -1 on failure. */
int wl_make_parent(const char *path);

/* Now, Unix seconds. */
int64_t wl_now(void);

/* Parse a size in MiB / a count for --kdf-mem-mib / --kdf-ops. */
bool wl_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Lowercase hex of bytes into out (2n+1 bytes). */
void wl_hex(const uint8_t *p, size_t n, char *out);

/* Find a credential by its id, or by a unique prefix of it. Prints an error
 * and returns NULL if none or ambiguous. */
const lp_wallet_cred *wl_find_cred(const lp_wallet *w, const char *id);

/* Readable one-line rendering of a JSON value (strings without quotes,
 * lists joined by "; "); malloc'd. */
char *wl_json_value_text(const char *json);

/* Print the claims of a JSON object as "  Label: value" lines. */
void wl_print_claims(FILE *f, const char *json_obj, const char *indent);

/* The English label of a claim name ("grade" -> "Grade"). */
const char *wl_claim_label(const char *name);

#endif
