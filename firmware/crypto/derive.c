#include "crypto/derive.h"

#include <string.h>

#include <mbedtls/md.h>

#include "fw/err.h"

#define DERIVE_PREFIX "spark-derive-v1" /* versioned: a new scheme gets a new prefix */

int crypto_derive_key(const uint8_t *device_key, size_t key_len, const char *label,
                      uint8_t out[CRYPTO_DERIVED_KEY_LEN])
{
    if (!device_key || !label || !out) {
        return FW_E_INVAL;
    }
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    int rc = mbedtls_md_setup(&ctx, md, 1);
    if (rc == 0) {
        rc = mbedtls_md_hmac_starts(&ctx, device_key, key_len);
    }
    if (rc == 0) {
        rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)DERIVE_PREFIX,
                                    strlen(DERIVE_PREFIX));
    }
    if (rc == 0) {
        rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)label, strlen(label));
    }
    if (rc == 0) {
        rc = mbedtls_md_hmac_finish(&ctx, out);
    }
    mbedtls_md_free(&ctx);
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}
