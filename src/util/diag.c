#include "reftriage/diag.h"

void diag_clear(struct diag *d)
{
	memset(d, 0, sizeof(*d));
	d->code = EX_OK;
	d->record = -1;
}

int diag_set(struct diag *d, int code, const char *fmt, ...)
{
	va_list ap;

	d->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
	return -1;
}

void diag_at(struct diag *d, const char *file, unsigned long line, const char *field)
{
	if (file)
		(void)snprintf(d->file, sizeof(d->file), "%s", file);
	if (line)
		d->line = line;
	if (field)
		(void)snprintf(d->field, sizeof(d->field), "%s", field);
}

void diag_suggest(struct diag *d, const char *word)
{
	(void)snprintf(d->suggestion, sizeof(d->suggestion), "%s", word ? word : "");
}
