/* hal/secure.h for tests. Key derivation is HMAC-SHA-256(device key, label),
 * which is what a real secure element's KDF amounts to for our purposes. */
#include "fakes/fake_secure.h"

#include <string.h>

#include <mbedtls/md.h>

#include "fw/err.h"
#include "hal/secure.h"

static const uint8_t s_default_key[32] = {
    0x5e, 0x1a, 0x77, 0x02, 0xc4, 0x9b, 0x31, 0xe8, 0x0d, 0x66, 0xa2, 0x4f, 0x19, 0xb0, 0x8c, 0x73,
    0x2e, 0xd5, 0x41, 0x9a, 0x07, 0xfc, 0x63, 0x38, 0xb1, 0x5d, 0xe0, 0x92, 0x4a, 0x17, 0xc8, 0x26};

static uint8_t s_key[32];
static uint32_t s_counter;
static int s_fail_derive;
static int s_fail_counter;
static int s_ready;

void fake_secure_reset(void)
{
    memcpy(s_key, s_default_key, sizeof s_key);
    s_counter = 0;
    s_fail_derive = 0;
    s_fail_counter = 0;
    s_ready = 1;
}

static void ensure_ready(void)
{
    if (!s_ready) {
        fake_secure_reset();
    }
}

void fake_secure_set_device_key(const uint8_t key[32])
{
    ensure_ready();
    memcpy(s_key, key, sizeof s_key);
}

void fake_secure_set_counter(uint32_t value)
{
    ensure_ready();
    s_counter = value;
}

uint32_t fake_secure_counter(void)
{
    ensure_ready();
    return s_counter;
}

void fake_secure_fail_derive(int err)
{
    ensure_ready();
    s_fail_derive = err;
}

void fake_secure_fail_counter(int err)
{
    ensure_ready();
    s_fail_counter = err;
}

int hal_secure_derive_key(const char *label, uint8_t out[HAL_SECURE_KEY_LEN])
{
    ensure_ready();
    if (s_fail_derive) {
        return s_fail_derive;
    }
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    int rc =
        mbedtls_md_hmac(md, s_key, sizeof s_key, (const unsigned char *)label, strlen(label), out);
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}

int hal_secure_counter_read(uint32_t *value)
{
    ensure_ready();
    if (s_fail_counter) {
        return s_fail_counter;
    }
    *value = s_counter;
    return 0;
}

int hal_secure_counter_increment(uint32_t *new_value)
{
    ensure_ready();
    if (s_fail_counter) {
        return s_fail_counter;
    }
    if (s_counter == UINT32_MAX) {
        return FW_E_STATE;
    }
    s_counter++;
    if (new_value) {
        *new_value = s_counter;
    }
    return 0;
}
