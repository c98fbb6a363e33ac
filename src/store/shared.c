/*
 * A store shared by a team on one host (init --shared), in the manner of
 * `git init --shared=group`: the store file and the -wal and -shm files
 * SQLite makes beside it are mode 0660, for the owner's group; the store
 * records that it was made so, so that its group bits are not taken for a
 * mistake. And, for every store, a permission error that names the file, its
 * mode, its owner and group, and the user who was refused.
 */
#include "store-internal.h"

#include "reftriage/alloc.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory part of path ("." when it has none), in out. */
static void dir_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		(void)snprintf(out, size, ".");
	else if (slash == path)
		(void)snprintf(out, size, "/");
	else
		(void)snprintf(out, size, "%.*s", (int)(slash - path), path);
}

int store_shared_dir_check(const char *path, struct diag *d)
{
	char dir[4096];
	struct stat sb;

	dir_of(path, dir, sizeof(dir));
	diag_at(d, path, 0, NULL);
	if (stat(dir, &sb) != 0)
		return diag_set(d, EX_CANTCREAT, "cannot create the store: %s: %s", dir,
		                strerror(errno));
	if (!(sb.st_mode & 006))
		return 0;
	return diag_set(d, EX_CANTCREAT,
	                "refused: --shared, but the directory %s is %s by everyone (mode %04o): "
	                "others could %s; share a store in a directory of its own that only its "
	                "group can reach, e.g. 'install -d -m 2770 -g GROUP %s' (docs/security.md)",
	                dir, (sb.st_mode & 002) ? "writable" : "readable",
	                (unsigned)(sb.st_mode & 07777),
	                (sb.st_mode & 002) ? "replace or delete the store's files"
	                                   : "list it and see when its files change",
	                dir);
}

int store_mark_shared(struct store *st, struct diag *d)
{
	return store_exec(st, "INSERT OR REPLACE INTO meta (key, value) VALUES ('shared', 'group')",
	                  "marking the store shared", d);
}

int store_is_shared(struct store *st, bool *shared, struct diag *d)
{
	int64_t v = 0;
	int rc = store_one_int(st, "SELECT (SELECT value = 'group' FROM meta WHERE key = 'shared')",
	                       0, &v, "reading the store's sharing", d);

	*shared = rc == 0 && v != 0;
	return rc;
}

/* Whether the calling user is in group gid (as primary or supplementary group). */
static bool in_group(gid_t gid)
{
	gid_t groups[256];
	int i, n = getgroups(256, groups);

	if (getegid() == gid)
		return true;
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/*
 * "permission denied: you cannot ACCESS (NEED); it is mode M, owner U, group
 * G; you are V (not in G)": what access is missing first, then the facts.
 */
static int denied(const char *file, const struct stat *sb, const char *access_missing,
                  const char *need, struct diag *d)
{
	const struct passwd *owner = getpwuid(sb->st_uid);
	char owner_name[64], me_name[64];
	const struct passwd *me;
	const struct group *g = getgrgid(sb->st_gid);
	char group_name[64];
	bool grouped;

	(void)snprintf(owner_name, sizeof(owner_name), "%s", owner ? owner->pw_name : "?");
	(void)snprintf(group_name, sizeof(group_name), "%s", g ? g->gr_name : "?");
	me = getpwuid(geteuid());
	(void)snprintf(me_name, sizeof(me_name), "%s", me ? me->pw_name : "?");
	grouped = sb->st_uid != geteuid() && (sb->st_mode & 060) && !in_group(sb->st_gid);
	diag_at(d, file, 0, NULL);
	return diag_set(
	    d, EX_CONFIG,
	    "permission denied: you cannot %s (%s); it is mode %04o, owner %s (uid %u), "
	    "group %s (gid %u); you are %s (uid %u)%s%s%s%s",
	    access_missing, need, (unsigned)(sb->st_mode & 07777), owner_name, (unsigned)sb->st_uid,
	    group_name, (unsigned)sb->st_gid, me_name, (unsigned)geteuid(),
	    sb->st_uid == geteuid() ? ", its owner" : "", grouped ? ", not in group " : "",
	    grouped ? group_name : "",
	    grouped ? " (a shared store: ask to be added to the group, then log in "
	              "again; docs/security.md)"
	            : "");
}

/* Which of read and write access the user lacks to name, as words; NULL when neither. */
static const char *missing(const char *name, int a, const char *a_words, int b, const char *b_words,
                           const char *both_words)
{
	bool no_a = access(name, a) != 0 && errno == EACCES;
	bool no_b = access(name, b) != 0 && errno == EACCES;

	return no_a && no_b ? both_words : no_a ? a_words : no_b ? b_words : NULL;
}

int store_access_check(const char *path, struct diag *d)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char name[4096];
	const char *what;
	struct stat sb;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suffix); i++) {
		(void)snprintf(name, sizeof(name), "%s%s", path, suffix[i]);
		if (stat(name, &sb) != 0)
			continue;
		what = missing(name, R_OK, "read it", W_OK, "write to it", "read or write it");
		if (what)
			return denied(name, &sb, what,
			              i == 0
			                  ? "reftriage reads and writes the store even to list it"
			                  : "SQLite's journal beside the store is read and written "
			                    "by every user of the store",
			              d);
	}
	/* Without a -wal file, SQLite makes one (and the -shm) beside the store. */
	(void)snprintf(name, sizeof(name), "%s-wal", path);
	if (stat(name, &sb) == 0)
		return 0;
	dir_of(path, name, sizeof(name));
	if (stat(name, &sb) != 0)
		return 0;
	what = missing(name, W_OK, "write to the store's directory", X_OK,
	               "reach files in the store's directory",
	               "write to or reach files in the store's directory");
	if (what)
		return denied(name, &sb, what,
		              "reftriage needs write access to the directory to make SQLite's "
		              "journal, the store's -wal and -shm files, beside the store",
		              d);
	return 0;
}
