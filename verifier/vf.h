/* leerpas-verifier: declarations shared by the command files (the store
 * directory, the challenge book, input reading). Each command lives in its
 * own cmd_*.c; main.c parses the command word and dispatches. */
#ifndef LEERPAS_VERIFIER_VF_H
#define LEERPAS_VERIFIER_VF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "leerpas/common.h"
#include "leerpas/trust.h"

#define VF_PATH_MAX 4096
#define VF_WALKUP_AUDIENCE "leerpas:walk-up"  /* aud of presentations made without a challenge */
#define VF_CHALLENGE_TTL 600                  /* default seconds a challenge stays open */
#define VF_CODE_LEN 12                        /* characters of a challenge code */
#define VF_MAX_INPUT (1024u * 1024u)           /* largest text or file read as input */
#define VF_SKEW 300                           /* tolerated clock difference, seconds */

/* The store: trust anchors, lists and pins, cached status lists, open
 * challenges and the verifier's own audience, under one directory. */
typedef struct vf_store {
	char dir[VF_PATH_MAX];
} vf_store;

/* Resolve the store directory (--store DIR, else $XDG_DATA_HOME/leerpas/
 * verifier, else ~/.local/share/leerpas/verifier) and create it and its
 * subdirectories (0700) when `create`. Prints the error; returns an exit
 * code (0 ok). */
int vf_store_open(const char *opt_dir, bool create, vf_store *st);

/* dir/sub/name into out; false when it does not fit. */
bool vf_path(const vf_store *st, const char *sub, const char *name, char out[VF_PATH_MAX]);

/* A file name for an identifier: a readable part and a hash, so different
 * identifiers never share a file. out holds at least 96 bytes. */
void vf_id_filename(const char *id, const char *ext, char out[96]);

/* Build the trust store from the store's anchors, lists and pins. Files
 * that no longer verify are skipped with a warning (quiet: no warnings).
 * Returns NULL after printing an error. */
lp_trust_store *vf_trust_load(const vf_store *st, bool quiet);

/* The verifier's own audience (made on first use: "leerpas-verifier:" and
 * 8 random characters). Returns an exit code. */
int vf_audience(const vf_store *st, char out[256]);

/* Challenges. */
typedef struct vf_challenge {
	char code[VF_CODE_LEN + 1];   /* normalised: uppercase, no separators */
	char audience[256];
	int64_t created, expires;
} vf_challenge;

/* Normalise a typed code: drop '-', ' '; uppercase; Crockford look-alikes
 * (O->0, I/L->1). False when not VF_CODE_LEN valid characters. */
bool vf_code_normalise(const char *in, char out[VF_CODE_LEN + 1]);
/* "ABCD-EFGH-JKMN" for display. */
void vf_code_display(const char *code, char out[VF_CODE_LEN + 4]);
/* Make and remember a fresh challenge. Returns an exit code. */
int vf_challenge_new(const vf_store *st, const char *audience, int64_t now, int64_t ttl,
		     vf_challenge *out);
/* Look a challenge up: 0 open, 1 unknown or already used, 2 expired. */
int vf_challenge_get(const vf_store *st, const char *code, int64_t now, vf_challenge *out);
/* Every open challenge (count in *n, array malloc'd). */
vf_challenge *vf_challenge_open_list(const vf_store *st, int64_t now, size_t *n);
/* Forget a challenge (used once). */
void vf_challenge_use(const vf_store *st, const char *code);

/* One option of a command: a flag (flag set), a value (value set) or a
 * repeatable value (multi/nmulti/maxmulti set). */
typedef struct vf_opt {
	const char *name;        /* "--store" */
	bool has_arg;
	const char **value;
	bool *flag;
	const char **multi;
	size_t *nmulti;
	size_t maxmulti;
} vf_opt;

/* Parse argv[1..] against opts (terminated by a NULL name); positionals go
 * to pos (at most maxpos). *help is set for --help/-h. Returns an exit code
 * after printing a usage error, or 0. */
int vf_parse(int argc, char **argv, const vf_opt *opts, const char **pos, size_t maxpos,
	     size_t *np, const char *cmd, bool *help);

/* Commands: argc/argv start at the command word. Return the exit code. */
int vf_cmd_verify(int argc, char **argv);
int vf_cmd_challenge(int argc, char **argv);
int vf_cmd_trust(int argc, char **argv);
int vf_cmd_status(int argc, char **argv);
int vf_cmd_inspect(int argc, char **argv);
int vf_cmd_spec(int argc, char **argv);

/* Achievement specifications cached in the store (specs/<sha256 hex>.spec). */
void vf_spec_filename(const uint8_t digest[32], char out[80]);
/* lp_sdcwt_verify_params.spec_lookup over the store (ctx: a vf_spec_cache).
 * A cached file that does not match its digest is not used: damaged is set. */
typedef struct vf_spec_cache {
	const vf_store *st;
	bool damaged;
	char damaged_path[VF_PATH_MAX];
} vf_spec_cache;
lp_err vf_spec_lookup(void *ctx, const uint8_t digest[32], lp_buf *out);
/* Cache a specification already checked (lp_spec_check, or the verifier's
 * digest check) under its digest; *added false when it was cached already. */
lp_err vf_spec_store(const vf_store *st, lp_view spec, const uint8_t digest[32], bool *added, lp_diag *d);

/* Read a whole input: "-" is stdin, else a file. At most max bytes.
 * Prints the error; returns LP_OK or an error. */
lp_err vf_read_input(const char *path, size_t max, const char *what, lp_buf *out);

/* True when s (after trimming) looks like "XXN:" text: 1..8 letters or
 * digits ending in a digit, then ':'. */
bool vf_looks_prefixed(const char *s, size_t len);

/* FNV-1a 64 of a string (file names only, not security). */
uint64_t vf_fnv64(const char *s);

#endif
