/*
 * record.c - encoding, authentication and programming of sector headers and
 * records.
 *
 * HMAC-SHA-256 is built here on mbedtls' SHA-256 context rather than on the
 * mbedtls md layer, because mbedtls_md_setup() allocates its context on the
 * heap and the store promises to use none. The construction is RFC 2104; a
 * unit test checks it against mbedtls_md_hmac().
 */
#include <string.h>

#include <mbedtls/sha256.h>
#include <zlib.h>

#include "fw/err.h"
#include "hal/flash.h"
#include "store_priv.h"

/* Flash is streamed through this much stack when hashing or copying. */
#define CHUNK 256u

/* ---- little-endian fields ------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint32_t crc(const uint8_t *p, size_t n)
{
    return (uint32_t)crc32(0L, p, (uInt)n);
}

/* ---- HMAC-SHA-256 ---------------------------------------------------------- */

typedef struct {
    mbedtls_sha256_context inner;
    mbedtls_sha256_context outer;
} mac_ctx_t;

static void mac_start(mac_ctx_t *m, const uint8_t key[32])
{
    uint8_t pad[64];
    mbedtls_sha256_init(&m->inner);
    mbedtls_sha256_init(&m->outer);
    (void)mbedtls_sha256_starts_ret(&m->inner, 0);
    (void)mbedtls_sha256_starts_ret(&m->outer, 0);
    /* A 32-byte key is shorter than the block, so it is zero-padded, not hashed. */
    for (size_t i = 0; i < sizeof pad; i++) {
        pad[i] = (uint8_t)((i < 32 ? key[i] : 0u) ^ 0x36u);
    }
    (void)mbedtls_sha256_update_ret(&m->inner, pad, sizeof pad);
    for (size_t i = 0; i < sizeof pad; i++) {
        pad[i] = (uint8_t)((i < 32 ? key[i] : 0u) ^ 0x5Cu);
    }
    (void)mbedtls_sha256_update_ret(&m->outer, pad, sizeof pad);
    memset(pad, 0, sizeof pad);
}

static void mac_update(mac_ctx_t *m, const void *p, size_t n)
{
    if (n) {
        (void)mbedtls_sha256_update_ret(&m->inner, p, n);
    }
}

static void mac_finish(mac_ctx_t *m, uint8_t *out, size_t out_len)
{
    uint8_t h[32];
    (void)mbedtls_sha256_finish_ret(&m->inner, h);
    (void)mbedtls_sha256_update_ret(&m->outer, h, sizeof h);
    (void)mbedtls_sha256_finish_ret(&m->outer, h);
    memcpy(out, h, out_len < sizeof h ? out_len : sizeof h);
    mbedtls_sha256_free(&m->inner);
    mbedtls_sha256_free(&m->outer);
    memset(h, 0, sizeof h);
}

void store_mac(const uint8_t key[32], const void *a, size_t alen, const void *b, size_t blen,
               uint8_t *out, size_t out_len)
{
    mac_ctx_t m;
    mac_start(&m, key);
    mac_update(&m, a, alen);
    mac_update(&m, b, blen);
    mac_finish(&m, out, out_len);
}

bool store_tag_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

/* ---- sector header ----------------------------------------------------------- */

void store_sec_hdr_encode(const store_t *s, const sec_hdr_t *h, uint8_t out[SEC_HDR_BYTES])
{
    memset(out, 0, SEC_HDR_BYTES);
    put32(out + 0, SEC_MAGIC);
    put16(out + 4, SEC_VERSION);
    put16(out + 6, SEC_HDR_BYTES);
    put32(out + 8, h->generation);
    put32(out + 12, h->erase_count);
    put32(out + 16, h->binding);
    put32(out + 20, s->slot); /* a different geometry must not parse our records */
    put32(out + 28, crc(out, 28));
    store_mac(s->mac_key, out, SEC_FIELDS_BYTES, NULL, 0, out + SEC_FIELDS_BYTES, REC_TAG_BYTES);
}

int store_sec_hdr_decode(const store_t *s, const uint8_t in[SEC_HDR_BYTES], sec_hdr_t *h)
{
    if (get32(in) != SEC_MAGIC || get32(in + 28) != crc(in, 28)) {
        return FW_E_FORMAT;
    }
    if (get16(in + 4) != SEC_VERSION || get16(in + 6) != SEC_HDR_BYTES ||
        get32(in + 20) != s->slot || get32(in + 24) != 0) {
        return FW_E_UNSUPPORTED;
    }
    uint8_t tag[REC_TAG_BYTES];
    store_mac(s->mac_key, in, SEC_FIELDS_BYTES, NULL, 0, tag, sizeof tag);
    if (!store_tag_equal(tag, in + SEC_FIELDS_BYTES, sizeof tag)) {
        return FW_E_CORRUPT;
    }
    h->generation = get32(in + 8);
    h->erase_count = get32(in + 12);
    h->binding = get32(in + 16);
    return 0;
}

/* ---- record header ------------------------------------------------------------- */

void store_rec_hdr_encode(const rec_hdr_t *h, uint8_t out[REC_HDR_BYTES])
{
    memset(out, 0, REC_HDR_BYTES);
    put16(out + 0, REC_MAGIC);
    out[2] = REC_VERSION;
    out[3] = h->flags;
    put16(out + 4, h->key);
    put16(out + 6, h->len);
    put32(out + 8, h->seq);
    put32(out + 12, h->bind);
    put32(out + 28, crc(out, 28));
}

int store_rec_hdr_decode(const uint8_t in[REC_HDR_BYTES], rec_hdr_t *h)
{
    if (get16(in) != REC_MAGIC || get32(in + 28) != crc(in, 28)) {
        return FW_E_FORMAT;
    }
    if (in[2] != REC_VERSION || (in[3] & ~REC_F_ALL) != 0) {
        return FW_E_UNSUPPORTED;
    }
    for (size_t i = 16; i < 28; i++) {
        if (in[i] != 0) {
            return FW_E_UNSUPPORTED;
        }
    }
    h->flags = in[3];
    h->key = get16(in + 4);
    h->len = get16(in + 6);
    h->seq = get32(in + 8);
    h->bind = get32(in + 12);
    /* Bound the length before anyone uses it; tombstones carry no value. */
    if (h->len > STORE_VALUE_MAX || ((h->flags & REC_F_TOMB) && h->len != 0) || h->key == 0xFFFFu) {
        return FW_E_FORMAT;
    }
    return 0;
}

/* ---- records on flash ---------------------------------------------------------- */

int store_rec_verify(const store_t *s, uint32_t addr, const rec_hdr_t *h)
{
    const uint32_t size = store_rec_size(s, h->len);
    const uint32_t body = size - REC_TAG_BYTES; /* header + value + padding */
    uint8_t buf[CHUNK];
    mac_ctx_t m;
    mac_start(&m, s->mac_key);
    for (uint32_t off = 0; off < body;) {
        uint32_t n = body - off < CHUNK ? body - off : CHUNK;
        int rc = hal_flash_read(addr + off, buf, n);
        if (rc != 0) {
            mac_finish(&m, buf, 0);
            return rc;
        }
        /* Padding must be zero: every byte of a record is then covered. */
        mac_update(&m, buf, n);
        off += n;
    }
    uint8_t want[REC_TAG_BYTES];
    uint8_t have[REC_TAG_BYTES];
    mac_finish(&m, want, sizeof want);
    int rc = hal_flash_read(addr + body, have, sizeof have);
    if (rc != 0) {
        return rc;
    }
    return store_tag_equal(want, have, sizeof want) ? 0 : FW_E_CORRUPT;
}

int store_rec_write(store_t *s, uint32_t addr, const rec_hdr_t *h, const void *val)
{
    uint8_t hdr[REC_HDR_BYTES];
    uint8_t zeros[64] = {0};
    uint8_t tag[REC_TAG_BYTES];
    const uint32_t size = store_rec_size(s, h->len);
    const uint32_t pad = size - REC_HDR_BYTES - h->len - REC_TAG_BYTES;

    store_rec_hdr_encode(h, hdr);
    mac_ctx_t m;
    mac_start(&m, s->mac_key);
    mac_update(&m, hdr, sizeof hdr);
    mac_update(&m, val, h->len);
    for (uint32_t left = pad; left > 0;) {
        uint32_t n = left < sizeof zeros ? left : (uint32_t)sizeof zeros;
        mac_update(&m, zeros, n);
        left -= n;
    }
    mac_finish(&m, tag, sizeof tag);

    /* Stream header | value | zero padding | tag through one chunk. The
     * chunk size is a multiple of the slot, so every program is unit aligned. */
    const uint8_t *v = val;
    uint8_t buf[CHUNK];
    uint32_t fill = 0;
    for (uint32_t pos = 0; pos < size; pos++) {
        uint8_t b;
        if (pos < REC_HDR_BYTES) {
            b = hdr[pos];
        } else if (pos < REC_HDR_BYTES + h->len) {
            b = v[pos - REC_HDR_BYTES];
        } else if (pos < size - REC_TAG_BYTES) {
            b = 0;
        } else {
            b = tag[pos - (size - REC_TAG_BYTES)];
        }
        buf[fill++] = b;
        if (fill == CHUNK || pos + 1 == size) {
            int rc = store_flash_program(s, addr + pos + 1 - fill, buf, fill);
            if (rc != 0) {
                return rc;
            }
            fill = 0;
        }
    }
    return 0;
}

int store_rec_copy(store_t *s, uint32_t dst, uint32_t src, uint32_t size)
{
    uint8_t buf[CHUNK];
    for (uint32_t off = 0; off < size;) {
        uint32_t n = size - off < CHUNK ? size - off : CHUNK;
        int rc = hal_flash_read(src + off, buf, n);
        if (rc == 0) {
            rc = store_flash_program(s, dst + off, buf, n);
        }
        if (rc != 0) {
            return rc;
        }
        off += n;
    }
    return 0;
}

int store_flash_program(store_t *s, uint32_t addr, const void *buf, size_t len)
{
    int rc = hal_flash_program(addr, buf, len);
    if (rc == 0) {
        s->health.bytes_programmed += len;
    }
    return rc;
}

int store_flash_erase(store_t *s, uint32_t idx)
{
    int rc = hal_flash_erase(s->cfg.first_sector + idx);
    if (rc == 0) {
        s->health.sectors_erased++;
        s->sectors[idx].erase_count++;
        s->sectors[idx].state = SEC_STATE_BLANK;
    } else {
        s->sectors[idx].state = SEC_STATE_DIRTY;
    }
    return rc;
}
