/*
 * Firmware slots and the boot record. See slots.h for why the order of
 * operations in slots_install() keeps a bootable firmware across power cuts.
 */
#include "proto/slots.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "fw/err.h"
#include "proto/layout.h"

#define SLOTS_CHUNK_SECTORS 16u /* 256 KiB with 16 KiB sectors */

static uint32_t round_up(uint64_t v, uint32_t unit)
{
    return (uint32_t)((v + unit - 1) / unit * unit);
}

int slots_layout(const hal_flash_geometry_t *geo, slots_slot_t out[SLOTS_COUNT])
{
    uint64_t total = (uint64_t)geo->sector_size * geo->sector_count;
    if (geo->sector_size == 0 || total <= LAYOUT_STORE_BYTES) {
        return FW_E_NOSPACE;
    }
    uint64_t half = (total - LAYOUT_STORE_BYTES) / SLOTS_COUNT;
    uint32_t size = (uint32_t)(half / geo->sector_size * geo->sector_size);
    if (size == 0) {
        return FW_E_NOSPACE;
    }
    for (uint32_t i = 0; i < SLOTS_COUNT; i++) {
        out[i].offset = LAYOUT_STORE_BYTES + i * size;
        out[i].size = size;
        out[i].first_sector = out[i].offset / geo->sector_size;
    }
    return 0;
}

uint64_t slots_min_flash_bytes(uint32_t sector_size, uint32_t payload)
{
    uint64_t slot = round_up((uint64_t)FWIMG_HEADER_LEN + payload, sector_size);
    return LAYOUT_STORE_BYTES + SLOTS_COUNT * slot;
}

#define BOOT_FIELD(...) PROTO_BFIELD(slots_boot_t, __VA_ARGS__)
static const proto_bfield_t s_boot_fields[] = {SLOTS_BOOT_LAYOUT(BOOT_FIELD)};
const proto_blayout_t slots_boot_layout = {"boot record", s_boot_fields,
                                           sizeof s_boot_fields / sizeof s_boot_fields[0],
                                           SLOTS_BOOT_RECORD_LEN};

void slots_boot_encode(const slots_boot_t *b, uint8_t out[SLOTS_BOOT_RECORD_LEN])
{
    proto_bytes_encode(&slots_boot_layout, b, out);
}

int slots_boot_decode(const uint8_t *in, size_t len, slots_boot_t *b)
{
    return proto_bytes_decode(&slots_boot_layout, in, len, b, NULL);
}

int slots_boot_read(store_t *s, slots_boot_t *b)
{
    uint8_t raw[SLOTS_BOOT_RECORD_LEN + 1];
    size_t len = 0;
    int rc = store_get(s, STORE_KEY_BOOT, raw, sizeof raw, &len);
    if (rc == FW_E_NOSPACE) {
        return FW_E_FORMAT; /* longer than any boot record we write */
    }
    return rc != 0 ? rc : slots_boot_decode(raw, len, b);
}

static int fail(int rc, char *why, size_t cap, const char *what)
{
    if (why && cap) {
        (void)snprintf(why, cap, "%s", what);
    }
    return rc;
}

int slots_check(const slots_slot_t slots[SLOTS_COUNT], const slots_boot_t *b,
                mbedtls_pk_context *pub, char *why, size_t why_cap)
{
    const slots_slot_t *sl = &slots[b->slot];
    uint8_t raw[FWIMG_HEADER_LEN];
    fwimg_header_t h;
    if (hal_flash_read(sl->offset, raw, sizeof raw) != 0) {
        return fail(FW_E_IO, why, why_cap, "cannot read the slot header");
    }
    int rc = fwimg_header_decode(raw, &h);
    if (rc != 0) {
        return fail(FW_E_FORMAT, why, why_cap, "no firmware image header in the slot");
    }
    if (fwimg_version_cmp(&h.version, &b->version) != 0 || h.size != b->size ||
        memcmp(h.sha256, b->sha256, FWIMG_HASH_LEN) != 0) {
        return fail(FW_E_CORRUPT, why, why_cap, "slot header differs from the boot record");
    }
    if ((uint64_t)FWIMG_HEADER_LEN + h.size > sl->size) {
        return fail(FW_E_CORRUPT, why, why_cap, "image size exceeds the slot");
    }
    if (pub && fwimg_header_verify(raw, pub) != 0) {
        return fail(FW_E_SIGNATURE, why, why_cap, "slot header signature does not verify");
    }
    static uint8_t buf[64 * 1024];
    mbedtls_sha256_context sha;
    mbedtls_sha256_init(&sha);
    rc = mbedtls_sha256_starts_ret(&sha, 0);
    for (uint32_t done = 0; rc == 0 && done < h.size;) {
        uint32_t n = h.size - done < sizeof buf ? h.size - done : (uint32_t)sizeof buf;
        rc = hal_flash_read(sl->offset + FWIMG_HEADER_LEN + done, buf, n);
        if (rc == 0) {
            rc = mbedtls_sha256_update_ret(&sha, buf, n);
        }
        done += n;
    }
    uint8_t digest[FWIMG_HASH_LEN];
    if (rc == 0) {
        rc = mbedtls_sha256_finish_ret(&sha, digest);
    }
    mbedtls_sha256_free(&sha);
    if (rc != 0) {
        return fail(FW_E_IO, why, why_cap, "cannot read the slot payload");
    }
    if (memcmp(digest, h.sha256, FWIMG_HASH_LEN) != 0) {
        return fail(FW_E_CORRUPT, why, why_cap, "slot payload SHA-256 does not match its header");
    }
    return 0;
}

/* The image as one byte stream: header, then payload. */
static void stream_copy(uint8_t *dst, const uint8_t *header, const uint8_t *payload, uint64_t from,
                        size_t n)
{
    size_t i = 0;
    while (i < n && from + i < FWIMG_HEADER_LEN) {
        dst[i] = header[from + i];
        i++;
    }
    if (i < n) {
        memcpy(dst + i, payload + (from + i - FWIMG_HEADER_LEN), n - i);
    }
}

int slots_install(store_t *s, const uint8_t header[FWIMG_HEADER_LEN], const fwimg_header_t *hdr,
                  const uint8_t *payload, slots_progress_fn progress, slots_stop_fn stop, void *ctx,
                  slots_boot_t *installed)
{
    hal_flash_geometry_t geo;
    slots_slot_t slots[SLOTS_COUNT];
    int rc = hal_flash_geometry(&geo);
    if (rc != 0) {
        return rc;
    }
    if ((rc = slots_layout(&geo, slots)) != 0) {
        return rc;
    }
    const uint64_t total = (uint64_t)FWIMG_HEADER_LEN + hdr->size;
    if (total > slots[0].size) {
        return FW_E_NOSPACE;
    }
    slots_boot_t cur;
    uint8_t target = 0;
    if (slots_boot_read(s, &cur) == 0) {
        target = (uint8_t)(1u - cur.slot); /* never the slot in force */
    }
    const slots_slot_t *sl = &slots[target];
    /* Erase per sector, but program and read back in larger chunks: every
     * flash operation costs a sync on the host board (and a command on a
     * real part), so fewer, larger ones are what makes 64 MiB fast. */
    const uint32_t chunk = geo.sector_size * SLOTS_CHUNK_SECTORS;
    const uint32_t sectors = round_up(total, geo.sector_size) / geo.sector_size;
    uint8_t *buf = malloc(2u * chunk);
    if (!buf) {
        return FW_E_NOMEM;
    }
    uint8_t *back = buf + chunk;

    for (uint32_t i = 0; rc == 0 && i < sectors; i++) {
        if (stop && stop(ctx)) {
            rc = FW_E_STATE;
            break;
        }
        rc = hal_flash_erase(sl->first_sector + i);
        if (progress) {
            progress(ctx, "erase", (uint64_t)(i + 1) * geo.sector_size,
                     (uint64_t)sectors * geo.sector_size);
        }
    }
    for (uint64_t done = 0; rc == 0 && done < total; done += chunk) {
        if (stop && stop(ctx)) {
            rc = FW_E_STATE;
            break;
        }
        size_t n = total - done < chunk ? (size_t)(total - done) : chunk;
        /* The last chunk is padded with erased bytes up to the program unit. */
        size_t padded = round_up(n, geo.program_unit);
        memset(buf, 0xFF, padded);
        stream_copy(buf, header, payload, done, n);
        rc = hal_flash_program(sl->offset + (uint32_t)done, buf, padded);
        if (progress) {
            progress(ctx, "write", done + n, total);
        }
    }
    /* Read back everything and compare with what we meant to write: a flash
     * that silently drops bits must not become the active firmware. */
    mbedtls_sha256_context sha;
    mbedtls_sha256_init(&sha);
    if (rc == 0) {
        rc = mbedtls_sha256_starts_ret(&sha, 0) == 0 ? 0 : FW_E_CRYPTO;
    }
    for (uint64_t done = 0; rc == 0 && done < total; done += chunk) {
        size_t n = total - done < chunk ? (size_t)(total - done) : chunk;
        stream_copy(buf, header, payload, done, n);
        rc = hal_flash_read(sl->offset + (uint32_t)done, back, n);
        if (rc == 0 && memcmp(buf, back, n) != 0) {
            rc = FW_E_CORRUPT;
        }
        if (rc == 0) {
            size_t skip = done < FWIMG_HEADER_LEN ? FWIMG_HEADER_LEN - (size_t)done : 0;
            if (mbedtls_sha256_update_ret(&sha, back + skip, n - skip) != 0) {
                rc = FW_E_CRYPTO;
            }
        }
        if (progress) {
            progress(ctx, "verify", done + n, total);
        }
    }
    uint8_t digest[FWIMG_HASH_LEN];
    if (rc == 0 && mbedtls_sha256_finish_ret(&sha, digest) != 0) {
        rc = FW_E_CRYPTO;
    }
    mbedtls_sha256_free(&sha);
    free(buf);
    if (rc == 0 && memcmp(digest, hdr->sha256, FWIMG_HASH_LEN) != 0) {
        rc = FW_E_CORRUPT;
    }
    if (rc != 0) {
        return rc;
    }
    slots_boot_t next = {.slot = target, .version = hdr->version, .size = hdr->size};
    memcpy(next.sha256, hdr->sha256, FWIMG_HASH_LEN);
    uint8_t rec[SLOTS_BOOT_RECORD_LEN];
    slots_boot_encode(&next, rec);
    rc = store_put(s, STORE_KEY_BOOT, rec, sizeof rec, 0);
    if (rc == 0 && installed) {
        *installed = next;
    }
    return rc;
}
