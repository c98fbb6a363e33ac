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
	char field[64];       /* contract field or option, "" when none */
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

#endif
