/*
 * Included first by every source file: the standard headers we rely on, then
 * banned.h, so that the banned functions cannot be reintroduced by accident.
 */
#ifndef REFTRIAGE_COMPAT_H
#define REFTRIAGE_COMPAT_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reftriage/banned.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define MUST_CHECK        __attribute__((warn_unused_result))
#else
#define PRINTF_LIKE(f, a)
#define MUST_CHECK
#endif

#endif
