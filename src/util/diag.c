#include "reftriage/diag.h"

#include "reftriage/alloc.h"

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

void diag_list_init(struct diag_list *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
}

void diag_list_release(struct diag_list *l)
{
	rt_free(l->d);
	diag_list_init(l, l->max);
}

struct diag *diag_list_add(struct diag_list *l)
{
	if (l->n >= l->max) {
		l->more++;
		return NULL;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct diag *nd = rt_realloc(l->d, cap * sizeof(*nd));

		if (!nd) {
			l->oom = true;
			return NULL;
		}
		l->d = nd;
		l->cap = cap;
	}
	diag_clear(&l->d[l->n]);
	l->d[l->n].code = EX_DATAERR;
	return &l->d[l->n++];
}
