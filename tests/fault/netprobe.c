/*
 * LD_PRELOAD probe for tests/cli/t1300-sandbox.bats: what the process may do
 * once main() has installed its seccomp filter. It wraps sqlite3_initialize,
 * which main() calls after the filter for every command, and on the first
 * call writes to the file NETPROBE_OUT one line each:
 *
 *   seccomp=N     the Seccomp: line of /proc/self/status (2: a filter is in)
 *   inet=R        socket(AF_INET, SOCK_STREAM)    R is "ok" or the errno's name
 *   inet6=R       socket(AF_INET6, SOCK_DGRAM)
 *   netlink=R     socket(AF_NETLINK, SOCK_RAW)
 *   unix=R        socket(AF_UNIX, SOCK_STREAM)
 *   exec=R        execve("/bin/true") in a forked child
 *
 * then calls the real sqlite3_initialize.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int sqlite3_initialize(void);

static const char *result(int rc, int err)
{
	if (rc >= 0)
		return "ok";
	return err == EACCES ? "EACCES" : err == EPERM ? "EPERM" : strerror(err);
}

static void probe_socket(FILE *f, const char *name, int domain, int type)
{
	int fd = socket(domain, type, 0);
	int err = errno;

	fprintf(f, "%s=%s\n", name, result(fd, err));
	if (fd >= 0)
		close(fd);
}

static void probe_exec(FILE *f)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		char *const argv[] = {(char *)"true", NULL};
		char *const envp[] = {NULL};

		execve("/bin/true", argv, envp);
		_exit(errno == EACCES ? 13 : 99);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st)) {
		fputs("exec=unknown\n", f);
		return;
	}
	fprintf(f, "exec=%s\n",
	        WEXITSTATUS(st) == 0    ? "ok"
	        : WEXITSTATUS(st) == 13 ? "EACCES"
	                                : "other");
}

static void probe(void)
{
	const char *out = getenv("NETPROBE_OUT");
	char line[256];
	FILE *f, *st;

	if (!out || !*out || !(f = fopen(out, "w")))
		return;
	st = fopen("/proc/self/status", "r");
	while (st && fgets(line, sizeof(line), st))
		if (strncmp(line, "Seccomp:", 8) == 0)
			fprintf(f, "seccomp=%ld\n", strtol(line + 8, NULL, 10));
	if (st)
		fclose(st);
	probe_socket(f, "inet", AF_INET, SOCK_STREAM);
	probe_socket(f, "inet6", AF_INET6, SOCK_DGRAM);
	probe_socket(f, "netlink", AF_NETLINK, SOCK_RAW);
	probe_socket(f, "unix", AF_UNIX, SOCK_STREAM);
	probe_exec(f);
	fclose(f);
}

int sqlite3_initialize(void)
{
	static int done;
	int (*real)(void) = (int (*)(void))dlsym(RTLD_NEXT, "sqlite3_initialize");

	if (!done) {
		done = 1;
		probe();
	}
	return real ? real() : 1;
}
