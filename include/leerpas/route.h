/* Learning routes: from the credentials a learner holds and the qualification
 * descriptions schools publish, what counts toward which qualification, how
 * much is gathered against what is required, which parts are still missing,
 * which modules would be counted twice, and the learning history over time;
 * rendered as JSON, as text and as an SVG picture. Format of a qualification
 * description and of the JSON report: docs/format/route.md.
 *
 * Use: lp_route_new, then lp_route_add_credential for each credential (the
 * claims JSON with every disclosure the wallet holds) and
 * lp_route_add_qualification for each description, then any of
 * lp_route_json / lp_route_text / lp_route_svg, and lp_route_free. The
 * computation is pure: no clock, no I/O; dates come from the claims
 * (awardingDate) or from the credential's iat.
 */
#ifndef LEERPAS_ROUTE_H
#define LEERPAS_ROUTE_H

#include "leerpas/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits: inputs beyond them are refused with LP_ERR_TOO_LARGE. */
#define LP_ROUTE_MAX_CREDS 10000u      /* credentials in one route */
#define LP_ROUTE_MAX_QUALS 256u        /* qualification descriptions */
#define LP_ROUTE_MAX_PARTS 256u        /* parts in one description */
#define LP_ROUTE_DESC_MAX (256u * 1024u) /* bytes of one description */
#define LP_ROUTE_CLAIMS_MAX (64u * 1024u) /* bytes of one credential's claims */

/* 1 EC (ECTS credit) is 28 hours of study (Dutch WHW, art. 7.4); used only
 * when a credential gives its workload in the other unit than the
 * qualification counts in, and then reported as converted. */
#define LP_ROUTE_HOURS_PER_EC 28

/* Status as last known; same values as LP_WALLET_STATUS_*. Revoked and
 * suspended credentials are listed but never counted. */
#define LP_ROUTE_STATUS_VALID 0
#define LP_ROUTE_STATUS_REVOKED 1
#define LP_ROUTE_STATUS_SUSPENDED 2
#define LP_ROUTE_STATUS_UNKNOWN 3

typedef struct lp_route lp_route;

/* One credential as the wallet holds it. Everything is copied. */
typedef struct lp_route_cred {
	const char *id;          /* the wallet's handle, unique in the route (required) */
	const char *issuer;      /* iss: the school's identifier (required) */
	const char *type;        /* vct, or NULL */
	const uint8_t *cti;      /* the credential id, for composed-of links (may be NULL) */
	size_t cti_len;          /* 0..64 */
	int64_t iat;             /* Unix seconds; the date when awardingDate is absent */
	int status;              /* LP_ROUTE_STATUS_* */
	const char *claims_json; /* achievement claims by JSON name (claims.h), a JSON object */
	size_t claims_len;
} lp_route_cred;

/* The outcome for one qualification, for programs that want a summary (the
 * full detail is in the JSON report). Strings point into r and live until
 * the next add or lp_route_free. */
typedef struct lp_route_progress {
	const char *code;        /* crebo or other qualification code */
	const char *title;       /* "" when no description and no credential names it */
	bool described;          /* a description was given */
	bool ects;               /* counts in EC (true) or hours (false) */
	double gathered;         /* counted, in that unit */
	double required;         /* 0 when not described */
	size_t missing_parts;    /* required parts without a credential, plus 1 when
				  * the optional minimum is not reached */
	size_t double_counted;   /* credentials not counted because they would count twice */
	bool complete;           /* described, gathered >= required, nothing missing */
} lp_route_progress;

/* A new empty route. LP_ERR_NOMEM on failure (*out NULL). */
lp_err lp_route_new(lp_route **out) LP_WARN_UNUSED;

/* Add a credential. Errors: LP_ERR_ARG (missing id/issuer, cti too long,
 * unknown status), LP_ERR_EXISTS (id already added), LP_ERR_JSON (claims not
 * a JSON object), LP_ERR_CLAIMS (a claim the route reads has the wrong type:
 * title, awardingBody, awardingDate, workload, creditPoint, isPartOf,
 * hasPart), LP_ERR_TOO_LARGE; d names the problem. On failure r is
 * unchanged. */
lp_err lp_route_add_credential(lp_route *r, const lp_route_cred *c, lp_diag *d) LP_WARN_UNUSED;

/* Add a qualification description (JSON text, docs/format/route.md).
 * Errors: LP_ERR_JSON (not JSON, or a member of the wrong type or missing;
 * d->msg names it, d->offset is the byte position for syntax errors),
 * LP_ERR_UNSUPPORTED (a newer "version"), LP_ERR_EXISTS (a description for
 * the same qualificationCode was added already), LP_ERR_TOO_LARGE. On
 * failure r is unchanged. */
lp_err lp_route_add_qualification(lp_route *r, lp_view json, lp_diag *d) LP_WARN_UNUSED;

/* How many qualifications the route reports on (described ones first, in
 * the order given, then the codes credentials count toward without a
 * description, in order of first appearance), and the summary of the i-th.
 * lp_route_progress_at returns LP_ERR_ARG for i out of range (out zeroed). */
size_t lp_route_qual_count(lp_route *r);
lp_err lp_route_progress_at(lp_route *r, size_t i, lp_route_progress *out) LP_WARN_UNUSED;

/* The report as JSON (pretty, NUL-terminated; len excludes the NUL), as
 * readable text (English labels, claim values as issued), or as an SVG
 * picture: a timeline of the credentials by date in one lane per
 * qualification, with a progress bar per qualification. On failure *out is
 * empty (LP_ERR_NOMEM). */
lp_err lp_route_json(lp_route *r, lp_buf *out) LP_WARN_UNUSED;
lp_err lp_route_text(lp_route *r, lp_buf *out) LP_WARN_UNUSED;
lp_err lp_route_svg(lp_route *r, lp_buf *out) LP_WARN_UNUSED;

/* Free everything; NULL-tolerant. */
void lp_route_free(lp_route *r);

#ifdef __cplusplus
}
#endif
#endif
