/*
 * fw_zeroize(): mbedtls' wipe, which calls memset through a volatile
 * function pointer so the store cannot be proven dead and dropped.
 */
#include "fw/zeroize.h"

#include <mbedtls/platform_util.h>

void fw_zeroize(void *p, size_t len)
{
    if (p != NULL && len > 0) {
        mbedtls_platform_zeroize(p, len);
    }
}
