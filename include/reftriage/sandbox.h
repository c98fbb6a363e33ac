/*
 * The process cannot reach the network (docs/security.md): a seccomp filter,
 * installed at start before any input is read, makes socket() fail with
 * EACCES for every address family but AF_UNIX, and execve()/execveat() fail
 * with EACCES. Everything else is allowed. libseccomp is used only in
 * src/sandbox/sandbox.c, the one file that includes seccomp.h.
 */
#ifndef REFTRIAGE_SANDBOX_H
#define REFTRIAGE_SANDBOX_H

#include "reftriage/compat.h"
#include "reftriage/diag.h"

/*
 * Install the filter for this process and every thread and child it makes
 * (it cannot be lifted). Sets no_new_privs. -1 with d filled (exit 70) when
 * the kernel or libseccomp refuses: reftriage does not run without it.
 */
int sandbox_enter(struct diag *d) MUST_CHECK;

#endif
