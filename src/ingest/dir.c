/*
 * What a directory named on import's command line stands for: its files
 * with an importable name, and with recursion those of its subdirectories.
 */
#include "reftriage/ingest.h"

#include "reftriage/alloc.h"
#include "reftriage/buf.h"

#include <dirent.h>
#include <sys/stat.h>

/* How deep recursion goes: far past any delivery's layout. */
#define MAX_DEPTH 32

static bool importable(const char *name)
{
	static const char *const ext[] = {".csv", ".json", ".ndjson", ".jsonl", ".xml"};
	size_t i, n = strlen(name);

	if (name[0] == '.')
		return false;
	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t m = strlen(ext[i]);

		if (n > m && strcmp(name + n - m, ext[i]) == 0)
			return true;
	}
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ingest_paths_add(struct ingest_paths *l, char *p)
{
	if (!p)
		return -1;
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 16;
		char **np = rt_realloc(l->p, c * sizeof(*np));

		if (!np) {
			rt_free(p);
			return -1;
		}
		l->p = np;
		l->cap = c;
	}
	l->p[l->n++] = p;
	return 0;
}

void ingest_paths_release(struct ingest_paths *l)
{
	while (l->n)
		rt_free(l->p[--l->n]);
	rt_free(l->p);
	memset(l, 0, sizeof(*l));
}

/* A DIR's path joined with an entry's name; NULL when memory runs out. */
static char *join(const char *dir, const char *name)
{
	size_t len = strlen(dir);
	struct buf b;

	buf_init(&b);
	if (buf_addf(&b, "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/", name) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/*
 * Add dir's importable files (and, when recursive, those of its
 * subdirectories) to l. Dot-files and dot-directories are skipped, and so is
 * a symbolic link to a directory (it could loop, or lead out of the tree).
 * 1 when dir cannot be listed, -1 when memory runs out.
 */
static int walk(const char *dir, bool recursive, int depth, struct ingest_paths *l)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return 1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat sb;
		char *p;

		if (e->d_name[0] == '.')
			continue;
		if (!(p = join(dir, e->d_name))) {
			rc = -1;
			break;
		}
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && recursive && depth < MAX_DEPTH) {
			rc = walk(p, recursive, depth + 1, l) < 0 ? -1 : 0;
			rt_free(p);
		} else if (importable(e->d_name) && !(stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))) {
			rc = ingest_paths_add(l, p);
		} else {
			rt_free(p);
		}
	}
	(void)closedir(d);
	return rc;
}

int ingest_dir_files(const char *dir, bool recursive, struct ingest_paths *l)
{
	size_t first = l->n;
	int rc = walk(dir, recursive, 0, l);

	if (rc == 0 && l->n > first)
		qsort(l->p + first, l->n - first, sizeof(*l->p), by_name);
	return rc;
}
