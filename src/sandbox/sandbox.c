/*
 * The seccomp filter (sandbox.h). A deny-list, not an allow-list: the few
 * calls that would let the process reach beyond the host fail with EACCES,
 * as if a policy refused them, and the rest of the program (SQLite, libc,
 * libsodium, the sanitizers' runtimes) runs unchanged.
 *
 *   socket(domain, ...)      EACCES unless domain is AF_UNIX
 *   socketpair(domain, ...)  the same
 *   execve, execveat         EACCES: reftriage never runs another program
 *
 * With only socket() denied, a process could still connect an inherited
 * socket; reftriage is started by a shell, cron or systemd, and its units add
 * PrivateNetwork=yes and RestrictAddressFamilies=AF_UNIX (docs/operations.md).
 */
#include "reftriage/sandbox.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/socket.h>

/*
 * Clang's AddressSanitizer runs llvm-symbolizer (fork and execve) to name the
 * lines of a report, so a clang ASan build leaves execve allowed. GCC's (the
 * Makefile's SAN=1 build) names them in-process, with libbacktrace, and
 * LeakSanitizer needs only clone and ptrace: GCC builds deny execve too.
 * socket() is denied in every build.
 */
#if defined(__clang__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_DENY_EXEC 0
#endif
#endif
#ifndef SANDBOX_DENY_EXEC
#define SANDBOX_DENY_EXEC 1
#endif

/* Deny call when its first argument is not AF_UNIX. */
static int deny_unless_unix(scmp_filter_ctx ctx, int call)
{
	/* SCMP_A0() leaves datum_b to C's zeroing, which clang's -Wextra refuses. */
	const struct scmp_arg_cmp not_unix = {
	    .arg = 0, .op = SCMP_CMP_NE, .datum_a = (scmp_datum_t)AF_UNIX, .datum_b = 0};

	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), call, 1, not_unix);
}

int sandbox_enter(struct diag *d)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!ctx)
		return diag_set(d, EX_SOFTWARE, "cannot set up the seccomp filter: out of memory");
	rc = deny_unless_unix(ctx, SCMP_SYS(socket));
	if (rc == 0)
		rc = deny_unless_unix(ctx, SCMP_SYS(socketpair));
	if (rc == 0 && SANDBOX_DENY_EXEC)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(execve), 0);
	if (rc == 0 && SANDBOX_DENY_EXEC)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(execveat), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return diag_set(d, EX_SOFTWARE, "cannot install the seccomp filter: %s",
		                strerror(-rc));
	return 0;
}
