/* JSON output for --json, byte strings as hex/base64url, and times in
 * ISO 8601 (UTC) both ways. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli.h"

bool cli_json_print(json_t *v)
{
	int r;
	if (!v)
		return false;
	r = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (r != 0)
		return false;
	if (fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		return false;
	return true;
}

json_t *cli_json_hex(const uint8_t *p, size_t len)
{
	json_t *s;
	char *hex = malloc(len * 2 + 1);
	if (!hex)
		return NULL;
	sodium_bin2hex(hex, len * 2 + 1, p, len);
	s = json_string(hex);
	free(hex);
	return s;
}

json_t *cli_json_b64url(const uint8_t *p, size_t len)
{
	json_t *s;
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *b = malloc(cap);
	if (!b)
		return NULL;
	sodium_bin2base64(b, cap, p, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	s = json_string(b);
	free(b);
	return s;
}

bool cli_json_set(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return false;
	return json_object_set_new(obj, key, v) == 0;
}

char *cli_time_iso(int64_t t, char buf[32])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%lld", (long long)t);
	return buf;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool cli_time_parse(const char *text, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
	char *e;
	long long v;

	if (!text || !*text)
		return false;
	if (strlen(text) == 10 && sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) {
		/* date only: midnight UTC */
	} else if (strlen(text) == 20 &&
		   sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &s, &n) == 6 &&
		   n == 20) {
		/* full timestamp */
	} else {
		errno = 0;
		v = strtoll(text, &e, 10);
		if (errno || *e || v < 0 || text[0] == '-' || text[0] == '+' || text[0] == ' ')
			return false;
		*out = (int64_t)v;
		return true;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 ||
	    h < 0 || mi < 0 || s < 0)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}
