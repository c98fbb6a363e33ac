/*
 * Store settings (cli.md `settings`): a supervisor's choices for the whole
 * store, one row each in the settings table (schema 16); a setting without a
 * row has its default.
 */
#include "store-internal.h"

#include "reftriage/text.h"

enum setting_kind { SETTING_ON_OFF, SETTING_DAYS };

static const struct {
	const char *name;
	enum setting_kind kind;
	const char *dflt;
} known[] = {
    /* casework.md section 2: status REF nfa needs --approved-by when on. */
    {"nfa_sign_off", SETTING_ON_OFF, "off"},
    /* cli.md: purge refuses a --closed-before later than now minus this. */
    {"retention_days", SETTING_DAYS, "365"},
};

const char *const store_setting_names[] = {"nfa_sign_off", "retention_days", NULL};

static int find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (strcmp(known[i].name, name) == 0)
			return (int)i;
	return -1;
}

int store_setting_check(const char *name, const char *value, char canon[STORE_SETTING_MAX],
                        struct diag *d)
{
	int k = find(name);
	size_t len = strlen(value), i;
	long days = 0;

	diag_at(d, NULL, 0, name);
	if (k < 0) {
		const char *near = text_suggest(name, strlen(name), store_setting_names, 3);

		diag_set(d, EX_USAGE, "not a setting (settings: nfa_sign_off, retention_days)");
		if (near)
			diag_suggest(d, near);
		return -1;
	}
	if (known[k].kind == SETTING_ON_OFF) {
		if (!text_ieq(value, len, "on") && !text_ieq(value, len, "off")) {
			diag_set(d, EX_USAGE, "'%s' is not on or off", value);
			return -1;
		}
		(void)snprintf(canon, STORE_SETTING_MAX, "%s",
		               text_ieq(value, len, "on") ? "on" : "off");
		return 0;
	}
	/* Whole days as digits only: no sign, no spaces, no leading zero, no unit. */
	for (i = 0; i < len && i < 6 && value[i] >= '0' && value[i] <= '9'; i++)
		days = days * 10 + (value[i] - '0');
	if (len == 0 || i != len || value[0] == '0' || days < STORE_RETENTION_DAYS_MIN ||
	    days > STORE_RETENTION_DAYS_MAX) {
		diag_set(d, EX_USAGE, "'%s' is not a number of days from %d to %d", value,
		         STORE_RETENTION_DAYS_MIN, STORE_RETENTION_DAYS_MAX);
		return -1;
	}
	(void)snprintf(canon, STORE_SETTING_MAX, "%ld", days);
	return 0;
}

int store_setting_get(struct store *st, const char *name, struct store_setting *out, struct diag *d)
{
	int k = find(name), rc;
	sqlite3_stmt *s;
	const char *v, *by;

	if (k < 0) {
		char canon[STORE_SETTING_MAX];

		return store_setting_check(name, "", canon, d);
	}
	memset(out, 0, sizeof(*out));
	out->name = known[k].name;
	out->is_default = true;
	(void)snprintf(out->value, sizeof(out->value), "%s", known[k].dflt);
	s = store_prepare_with(st,
	                       "SELECT value, changed_at, changed_by FROM settings WHERE name = ?1",
	                       "reading a setting", d, STORE_ARGS(ARG_TEXT(out->name)));
	if (!s)
		return -1;
	rc = store_step_one(st, s, "reading a setting", d);
	if (rc != 0)
		return rc < 0 ? -1 : 0; /* no row: the default */
	v = (const char *)sqlite3_column_text(s, 0);
	by = (const char *)sqlite3_column_text(s, 2);
	if (v) {
		(void)snprintf(out->value, sizeof(out->value), "%s", v);
		out->is_default = false;
		out->changed_at = sqlite3_column_int64(s, 1);
		(void)snprintf(out->changed_by, sizeof(out->changed_by), "%s", by ? by : "");
	}
	sqlite3_finalize(s);
	return 0;
}

int store_setting_set(struct store *st, const char *name, const char *value,
                      const char *operator_name, int64_t at, struct store_setting *old,
                      struct diag *d)
{
	char canon[STORE_SETTING_MAX];

	if (store_setting_check(name, value, canon, d) < 0 ||
	    store_setting_get(st, name, old, d) < 0)
		return -1;
	return store_run_with(
	    st,
	    "INSERT INTO settings (name, value, changed_at, changed_by) VALUES "
	    "(?1, ?2, ?3, ?4) ON CONFLICT (name) DO UPDATE SET value = ?2, "
	    "changed_at = ?3, changed_by = ?4",
	    "writing a setting", d,
	    STORE_ARGS(ARG_TEXT(old->name), ARG_TEXT(canon), ARG_INT(at), ARG_TEXT(operator_name)));
}

int store_retention_days(struct store *st, long *days, struct diag *d)
{
	struct store_setting s;
	char canon[STORE_SETTING_MAX];

	if (store_setting_get(st, "retention_days", &s, d) < 0)
		return -1;
	/* A value written by hand that is not one is a damaged store, not a default. */
	if (store_setting_check(s.name, s.value, canon, d) < 0) {
		diag_at(d, st->path, 0, "retention_days");
		diag_set(d, EX_DATAERR, "the stored setting '%s' is not a number of days", s.value);
		return -1;
	}
	*days = strtol(canon, NULL, 10);
	return 0;
}
