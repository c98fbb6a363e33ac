/* The outcome codes and their labels, exactly as docs/outcomes.md lists them. */
#include "reftriage/outcome.h"

#include "reftriage/text.h"
#include "reftriage/timeutil.h"

#include <strings.h>

const struct outcome_code outcome_codes[] = {
    {"arrest", "subject arrested", OUTCOME_POSITIVE},
    {"charged", "charged or summonsed", OUTCOME_POSITIVE},
    {"safeguarded", "one or more children safeguarded", OUTCOME_POSITIVE},
    {"contact_offence_found", "evidence of contact sexual offending found", OUTCOME_POSITIVE},
    {"iioc_found", "indecent images found on seized devices", OUTCOME_POSITIVE},
    {"nfa_no_offence", "no further action: no offence disclosed", OUTCOME_NEGATIVE},
    {"nfa_insufficient_evidence", "no further action: evidential difficulties", OUTCOME_NEGATIVE},
    {"nfa_public_interest", "no further action: not in the public interest", OUTCOME_NEGATIVE},
    {"nfa_not_traced", "subject not traced", OUTCOME_EXCLUDED},
    {"duplicate", "duplicate of another referral", OUTCOME_EXCLUDED},
    {"transferred", "transferred to another force or agency", OUTCOME_EXCLUDED},
};
const size_t outcome_ncodes = ARRAY_SIZE(outcome_codes);

const char *const outcome_code_names[] = {
    "arrest",
    "charged",
    "safeguarded",
    "contact_offence_found",
    "iioc_found",
    "nfa_no_offence",
    "nfa_insufficient_evidence",
    "nfa_public_interest",
    "nfa_not_traced",
    "duplicate",
    "transferred",
    NULL,
};

const struct outcome_code *outcome_code_find(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < outcome_ncodes; i++)
		if (text_ieq(s, n, outcome_codes[i].code))
			return &outcome_codes[i];
	return NULL;
}

const char *outcome_label_name(enum outcome_label l)
{
	static const char *const names[] = {"none", "excluded", "negative", "positive"};

	return names[l];
}

enum outcome_label outcome_label_of(const char *codes)
{
	enum outcome_label best = OUTCOME_NONE;
	const char *p = codes;

	/* The labels are ordered: the strongest one any outcome gives wins. */
	while (p && *p) {
		size_t n = strcspn(p, ";");
		const struct outcome_code *c = outcome_code_find(p, n);

		if (c && c->label > best)
			best = c->label;
		p += n + (p[n] == ';');
	}
	return best;
}

/* A note is shown to people and printed: UTF-8 text, no control characters but line breaks. */
static bool note_ok(const char *s, size_t n)
{
	size_t i;

	if (n > OUTCOME_NOTE_MAX || utf8_invalid_at(s, n) != n)
		return false;
	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f)
			return false;
	return true;
}

/* "'VALUE' what", the value shown safely, about field. */
static int bad(struct diag *d, const char *field, const char *value, const char *what)
{
	char shown[80];

	text_display(shown, sizeof(shown), value, strlen(value), 40);
	diag_at(d, NULL, 0, field);
	return diag_set(d, EX_DATAERR, "'%s' %s", shown, what);
}

/*
 * An unknown code: the codes it begins (in any case: "NFA" names the four
 * nfa_ codes), else every code, so that the analyst need not open the docs;
 * the nearest code as the suggestion.
 */
static int bad_code(struct diag *d, const char *code)
{
	char list[400], what[sizeof(list) + 80];
	size_t i, n = 0, len = strlen(code), hits = 0;
	const char *near = text_suggest(code, len, outcome_code_names, 3);

	for (i = 0; len && i < outcome_ncodes; i++)
		if (strlen(outcome_codes[i].code) > len &&
		    strncasecmp(code, outcome_codes[i].code, len) == 0)
			hits++;
	list[0] = '\0';
	for (i = 0; i < outcome_ncodes; i++) {
		if (hits && !(strlen(outcome_codes[i].code) > len &&
		              strncasecmp(code, outcome_codes[i].code, len) == 0))
			continue;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
		                      outcome_codes[i].code);
		if (n >= sizeof(list))
			break;
	}
	/* A typo of one code: that code is the answer, not the whole list. */
	if (near && !hits) {
		diag_suggest(d, near);
		return bad(d, "code", code, "is not an outcome code (docs/outcomes.md)");
	}
	if (hits)
		(void)snprintf(what, sizeof(what),
		               "is not an outcome code; did you mean one of %s? (docs/outcomes.md)",
		               list);
	else
		(void)snprintf(what, sizeof(what),
		               "is not an outcome code: one of %s (docs/outcomes.md)", list);
	return bad(d, "code", code, what);
}

int outcome_parse(const char *code, const char *date, const char *count, const char *note,
                  int32_t today, struct outcome_fields *out, struct diag *d)
{
	const char *why;
	char *end;
	long n;

	memset(out, 0, sizeof(*out));
	out->code = outcome_code_find(code, strlen(code));
	if (!out->code)
		return bad_code(d, code);
	if (date && *date) {
		if (time_parse_date(date, strlen(date), &out->date, &why) < 0) {
			diag_at(d, NULL, 0, "date");
			return diag_set(d, EX_DATAERR, "not a date YYYY-MM-DD: %s", why);
		}
		if (out->date > today)
			return bad(d, "date", date, "is in the future");
	} else {
		out->date = today;
	}
	out->count = 1;
	if (count && *count) {
		errno = 0;
		n = strtol(count, &end, 10);
		if (*end || errno || n < 1 || n > OUTCOME_COUNT_MAX ||
		    !(*count >= '0' && *count <= '9'))
			return bad(d, "count", count, "is not a whole number from 1 to 10000");
		out->count = n;
	}
	if (note && *note && !note_ok(note, strlen(note)))
		return bad(d, "note", note,
		           "is not text of at most 2000 bytes without control characters");
	time_format_date(out->date, out->date_text);
	return 0;
}
