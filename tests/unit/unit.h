/* Common includes for the cmocka unit tests. */
#ifndef REFTRIAGE_UNIT_H
#define REFTRIAGE_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "reftriage/compat.h"

#endif
