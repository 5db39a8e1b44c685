/* Retry delays (fw/backoff.h). */
#include "fw/backoff.h"

uint32_t fw_backoff_ms(uint32_t attempt, uint32_t rand)
{
    if (attempt == 0) {
        return rand % (FW_BACKOFF_BASE_MS + 1u);
    }
    uint64_t e = FW_BACKOFF_BASE_MS;
    for (uint32_t i = 0; i < attempt && e < FW_BACKOFF_CAP_MS; i++) {
        e <<= 1;
    }
    if (e > FW_BACKOFF_CAP_MS) {
        e = FW_BACKOFF_CAP_MS;
    }
    uint32_t half = (uint32_t)(e / 2u);
    return half + rand % (half + 1u);
}

uint32_t fw_rand_next(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x6d2b79f5u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}
