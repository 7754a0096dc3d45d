/* Issuing shared by issue, issue-batch and compose: merging a template with
 * a learner's claims, signing one SD-CWT, packing copies into one file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "issuer.h"
#include "leerpas/claims.h"

lp_err issue_merge(const issuer_template *t, const char *learner, size_t len, lp_buf *merged,
		   lp_diag *d)
{
	lp_err rc;

	merged->ptr = NULL;
	merged->len = 0;
	rc = lp_claims_learner_check(learner, len, d);
	if (rc != LP_OK)
		return rc;
	rc = lp_claims_merge(t->claims_json, strlen(t->claims_json), learner, len, merged, d);
	if (rc != LP_OK)
		return rc;
	rc = lp_claims_complete_check((const char *)merged->ptr, merged->len, d);
	if (rc != LP_OK)
		lp_buf_free(merged);
	return rc;
}

static void sign_params(const issue_ctx *x, const lp_pubkey *holder, uint64_t status_idx,
			lp_sdcwt_issue_params *p)
{
	lp_sdcwt_issue_params_init(p);
	p->iss = x->s->id;
	p->kid = (const uint8_t *)x->key->kid;
	p->kid_len = strlen(x->key->kid);
	p->vct = x->t->vct;
	p->iat = x->now;
	if (x->t->expires_after_days > 0) {
		p->has_exp = true;
		p->exp = x->now + x->t->expires_after_days * 86400;
	}
	p->holder = holder;
	p->has_status = true;
	p->status_idx = status_idx;
	p->status_uri = x->s->status_uri;
}

lp_err issue_template_new(const issuer_template *t, lp_sdcwt_template **out, lp_diag *d)
{
	return lp_sdcwt_template_new(t->claims_json, strlen(t->claims_json),
				     t->has_redactable ? t->redactable : NULL,
				     t->has_redactable ? t->n_redactable : 0, false, out, d);
}

lp_err issue_sign_from(const issue_ctx *x, lp_sdcwt_template *tm, const char *learner, size_t len,
		       const lp_pubkey *holder, uint64_t status_idx, lp_buf *out,
		       uint8_t cti[LP_CTI_BYTES], lp_diag *d)
{
	lp_sdcwt_issue_params p;
	sign_params(x, holder, status_idx, &p);
	p.claims_json = learner;
	p.claims_json_len = len;
	return lp_sdcwt_issue_from(tm, &p, x->key->sk, out, cti, d);
}

lp_err issue_sign(const issue_ctx *x, const lp_buf *merged, const lp_pubkey *holder,
		  uint64_t status_idx, lp_buf *out, uint8_t cti[LP_CTI_BYTES], lp_diag *d)
{
	lp_sdcwt_issue_params p;

	sign_params(x, holder, status_idx, &p);
	p.claims_json = (const char *)merged->ptr;
	p.claims_json_len = merged->len;
	if (x->t->has_redactable) {
		p.redactable = x->t->redactable;
		p.redactable_count = x->t->n_redactable;
	}
	return lp_sdcwt_issue(&p, x->key->sk, out, cti, d);
}

lp_err issue_pack(const lp_buf *copies, size_t n, lp_buf *out)
{
	size_t total = 9, off = 0;
	uint8_t *p;

	out->ptr = NULL;
	out->len = 0;
	if (n == 0)
		return LP_ERR_ARG;
	if (n == 1)
		return lp_buf_dup(out, copies[0].ptr, copies[0].len);
	for (size_t i = 0; i < n; i++)
		total += copies[i].len;
	p = malloc(total);
	if (!p)
		return LP_ERR_NOMEM;
	/* CBOR array head (major type 4), definite length */
	if (n < 24) {
		p[off++] = (uint8_t)(0x80 | n);
	} else if (n < 256) {
		p[off++] = 0x98;
		p[off++] = (uint8_t)n;
	} else {
		p[off++] = 0x99;
		p[off++] = (uint8_t)(n >> 8);
		p[off++] = (uint8_t)n;
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(p + off, copies[i].ptr, copies[i].len);
		off += copies[i].len;
	}
	out->ptr = p;
	out->len = off;
	return LP_OK;
}

bool issue_learner_ref(const char *opt, const char *claims_json, size_t len, char *out, size_t cap)
{
	const char *ref = opt;
	json_t *root = NULL;

	if (!ref) {
		root = json_loadb(claims_json, len, 0, NULL);
		ref = json_string_value(json_object_get(root, "studentId"));
	}
	if (!ref || !*ref) {
		json_decref(root);
		cli_error("give --learner REF (the learner's number in your administration) or a studentId claim",
			  "no learner reference for the register");
		return false;
	}
	if (strlen(ref) >= cap || strlen(ref) > LP_REG_REF_MAX) {
		json_decref(root);
		cli_error("use a shorter reference", "the learner reference is longer than %d characters", LP_REG_REF_MAX);
		return false;
	}
	snprintf(out, cap, "%s", ref);
	json_decref(root);
	return true;
}

int issue_record_write(issue_ctx *x, const lp_buf *merged, const uint8_t (*holders)[LP_ED25519_PK_BYTES],
		       size_t n, const char *ref, const char *out_path, lp_reg_cred *recs,
		       const issue_module *mods, size_t nmods)
{
	lp_buf *copies = calloc(n, sizeof *copies), file = { NULL, 0 };
	char tmp[ISSUER_PATH_MAX + 8];
	uint64_t first = 0;
	int ret = CLI_EXIT_ERROR;
	lp_diag d;
	lp_err rc;

	memset(&d, 0, sizeof d);
	if (!copies) {
		cli_fail(LP_ERR_NOMEM, NULL, "cannot issue");
		return CLI_EXIT_ERROR;
	}
	rc = lp_register_begin(x->s->reg);
	if (rc == LP_ERR_LOCKED) {
		cli_error("wait for the other leerpas-issuer command to finish and try again (nothing was issued)",
			  "the register is locked by another process");
		goto out;
	}
	if (rc == LP_OK)
		rc = lp_register_status_alloc_n(x->s->reg, n, &first);
	if (rc != LP_OK) {
		lp_register_rollback(x->s->reg);
		cli_fail(rc, "nothing was issued; check free space and try again", "cannot reserve status-list entries");
		goto out;
	}
	x->now = issuer_now();
	for (size_t i = 0; i < n; i++) {
		lp_pubkey hk;
		uint8_t cti[LP_CTI_BYTES];
		if (holders)
			lp_pubkey_ed25519(&hk, holders[i]);
		rc = issue_sign(x, merged, holders ? &hk : NULL, first + i, &copies[i], cti, &d);
		if (rc != LP_OK) {
			lp_register_rollback(x->s->reg);
			cli_error("fix the template or the learner's claims (nothing was issued)",
				  "cannot make the credential: %s", d.msg[0] ? d.msg : lp_err_str(rc));
			goto out;
		}
		memset(&recs[i], 0, sizeof recs[i]);
		issuer_hex(recs[i].cti, cti, sizeof cti);
		snprintf(recs[i].learner, sizeof recs[i].learner, "%s", ref);
		snprintf(recs[i].tmpl, sizeof recs[i].tmpl, "%s", x->t->name);
		snprintf(recs[i].kid, sizeof recs[i].kid, "%s", x->key->kid);
		recs[i].issued_at = x->now;
		recs[i].status_idx = first + i;
		if (holders)
			issuer_hex(recs[i].holder, holders[i], LP_ED25519_PK_BYTES);
		rc = lp_register_cred_add(x->s->reg, &recs[i]);
		if (rc != LP_OK) {
			lp_register_rollback(x->s->reg);
			cli_fail(rc, "nothing was issued; try again", "cannot record the credential in the register");
			goto out;
		}
	}
	for (size_t i = 0; i < nmods; i++) {
		char used_by[LP_REG_CTI_MAX + 1];
		rc = lp_register_module_use(x->s->reg, mods[i].issuer, mods[i].cti, recs[0].cti, used_by);
		if (rc != LP_OK) {
			lp_register_rollback(x->s->reg);
			if (rc == LP_ERR_EXISTS) {
				cli_error("a module counts toward one credential only; leave it out (nothing was issued)",
					  "module %s of %s already counts toward credential %s", mods[i].cti, mods[i].issuer,
					  used_by);
				ret = CLI_EXIT_FAIL;
			} else {
				cli_fail(rc, "nothing was issued; try again", "cannot record the modules in the register");
			}
			goto out;
		}
	}
	rc = issue_pack(copies, n, &file);
	if (rc != LP_OK) {
		lp_register_rollback(x->s->reg);
		cli_fail(rc, NULL, "cannot write the credential");
		goto out;
	}
	/* As in issue-batch: the file is written under a temporary name (which
	 * proves space and permissions before anything is recorded), the
	 * register commits, and only then is the file linked to its final name.
	 * Killed in between, no file under the final name holds a credential
	 * the register does not know (its status entry would be handed out
	 * again): tests/test_crash.c kills issue at every write. */
	if (strlen(out_path) + 5 > sizeof tmp) {
		lp_register_rollback(x->s->reg);
		cli_error("choose a shorter path", "output path '%s' is too long", out_path);
		goto out;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
	if (access(out_path, F_OK) == 0) {
		lp_register_rollback(x->s->reg);
		cli_error("choose another name or remove the old file first",
			  "credential '%s' already exists; not overwriting it", out_path);
		goto out;
	}
	if (cli_write_file(tmp, lp_buf_view(&file), 0600, false, "credential") != LP_OK) {
		lp_register_rollback(x->s->reg);
		goto out;
	}
	rc = lp_register_commit(x->s->reg);
	if (rc != LP_OK) {
		unlink(tmp);
		cli_fail(rc, "nothing was issued; check free space and try again", "cannot commit the register");
		goto out;
	}
	/* link() never replaces a file that appeared meanwhile. */
	if (link(tmp, out_path) != 0) {
		cli_error("rename it yourself; the credential is issued and recorded",
			  "the credential is in '%s' but cannot be moved to '%s': %s", tmp, out_path,
			  strerror(errno));
		goto out;
	}
	unlink(tmp);
	ret = CLI_EXIT_OK;
out:
	for (size_t i = 0; i < n; i++)
		lp_buf_free(&copies[i]);
	free(copies);
	lp_buf_free(&file);
	return ret;
}

void issue_print(const issuer_common *c, const issue_ctx *x, const char *ref, const char *out_path,
		 const lp_reg_cred *recs, size_t n, bool bound, const issue_module *mods, size_t nmods)
{
	if (c->json) {
		json_t *o = json_object(), *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *e = json_object();
			cli_json_set(e, "cti", json_string(recs[i].cti));
			cli_json_set(e, "status_idx", json_integer((json_int_t)recs[i].status_idx));
			cli_json_set(e, "holder", recs[i].holder[0] ? json_string(recs[i].holder) : json_null());
			json_array_append_new(arr, e);
		}
		cli_json_set(o, "out", json_string(out_path));
		cli_json_set(o, "template", json_string(x->t->name));
		cli_json_set(o, "vct", json_string(x->t->vct));
		cli_json_set(o, "learner", json_string(ref));
		cli_json_set(o, "kid", json_string(x->key->kid));
		cli_json_set(o, "bound", json_boolean(bound));
		cli_json_set(o, "copies", arr);
		if (nmods) {
			json_t *m = json_array();
			for (size_t i = 0; i < nmods; i++) {
				json_t *e = json_object();
				cli_json_set(e, "issuer", json_string(mods[i].issuer));
				cli_json_set(e, "cti", json_string(mods[i].cti));
				json_array_append_new(m, e);
			}
			cli_json_set(o, "composed_of", m);
		}
		cli_json_print(o);
	} else {
		printf("Issued %s to %s: %zu cop%s in %s\n", x->t->name, ref, n, n == 1 ? "y" : "ies", out_path);
		for (size_t i = 0; i < n; i++)
			printf("  cti %s  status entry %llu\n", recs[i].cti, (unsigned long long)recs[i].status_idx);
		for (size_t i = 0; i < nmods; i++)
			printf("  composed of %s from %s\n", mods[i].cti, mods[i].issuer);
	}
	if (!bound)
		cli_warn("the credential is UNBOUND (no --request): anyone who has the file can present it; "
			 "for holder binding ask the learner for 'leerpas-wallet request --issuer %s'", x->s->id);
}
