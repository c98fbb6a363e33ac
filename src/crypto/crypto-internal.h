/* Private to src/crypto/: the one place sodium.h is included. */
#ifndef REFTRIAGE_CRYPTO_INTERNAL_H
#define REFTRIAGE_CRYPTO_INTERNAL_H

#include "reftriage/compat.h"

#include <sodium.h>

#endif
