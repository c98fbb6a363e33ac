/*
 * struct diag: what went wrong, where. Modelled on jansson's json_error_t: a
 * fixed-size struct that lives on the caller's stack, so filling it cannot
 * fail. Lower layers never print and never exit; they return -1 and fill a
 * diag. Only cli/ prints, as "reftriage: FILE:LINE: FIELD: message".
 */
#ifndef REFTRIAGE_DIAG_H
#define REFTRIAGE_DIAG_H

#include "reftriage/compat.h"

#include <sysexits.h>

enum diag_severity { DIAG_ERROR, DIAG_WARNING };

struct diag {
	int code; /* a sysexits.h value, EX_OK when clear */
	enum diag_severity severity;
	char file[256];       /* file the problem is about, "" when none */
	unsigned long line;   /* 1-based line, 0 when none */
	unsigned long column; /* 1-based column, 0 when none */
	char field[160];      /* contract field, option, or "rule ID: key", "" when none */
	long record;          /* index within a JSON array, -1 when none */
	char message[512];    /* one sentence, no trailing newline */
	char suggestion[80];  /* a "did you mean" word, "" when none */
};

/* Reset every member: code EX_OK, no position. */
void diag_clear(struct diag *d);

/*
 * Set code and message (printf-style), keeping any file/line/field already
 * set. Always returns -1 so that callers can write "return diag_set(...)".
 */
int diag_set(struct diag *d, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Set the "did you mean" word (NULL: none). */
void diag_suggest(struct diag *d, const char *word);

/* Set the file, line and field a diag is about; NULL or 0 leaves a part unset. */
void diag_at(struct diag *d, const char *file, unsigned long line, const char *field);

/*
 * A list of diagnostics, for a layer that reports every problem it finds (a
 * rules file's errors, a record's reasons): at most max kept, the rest only
 * counted in more. cli/ prints a list with one printer (cli_report_list).
 */
struct diag_list {
	struct diag *d; /* owned: d[0..n) */
	size_t n, cap;
	size_t max;  /* how many are kept */
	size_t more; /* problems found after the first max, not kept */
	bool oom;    /* one could not be kept for want of memory */
};

void diag_list_init(struct diag_list *l, size_t max);
void diag_list_release(struct diag_list *l);
/*
 * A new, cleared diag at the end of the list to fill in, or NULL when the
 * list is full (counted in more) or memory ran out (oom set).
 */
struct diag *diag_list_add(struct diag_list *l);

#endif
