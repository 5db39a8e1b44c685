/*
 * Power-loss sweep of a firmware update (sparkflash flash): cut power at
 * every flash program/erase of slots_install(), reboot, and check that the
 * boot record names a slot holding a complete, signed, hash-verified image:
 * the old firmware or the new one, never neither (mcuboot's simulator check).
 *
 * Runs on the host board (file-backed flash, --cut-after) so the cut hits the
 * same code path the tool uses. Two rounds: the first update of a device
 * (old firmware in slot 0, slot 1 blank) and a later one that overwrites the
 * slot holding the firmware before last.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include "fw/err.h"
#include "proto/fwimage.h"
#include "host/host_board.h"
#include "proto/layout.h"
#include "proto/slots.h"

#define FLASH_BYTES (LAYOUT_STORE_BYTES + 2u * 320u * 1024u) /* slots of 20 sectors */
#define MAX_CUTS 10000

typedef struct {
    uint8_t header[FWIMG_HEADER_LEN];
    fwimg_header_t h;
    uint8_t *payload;
} image_t;

static char s_dir[256];
static char s_img[300];
static char s_sec[310];
static mbedtls_pk_context s_key;
static mbedtls_ctr_drbg_context s_drbg;
static int s_failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "sweep_flash: FAIL %s:%d: ", __FILE__, __LINE__);                      \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            s_failures++;                                                                          \
        }                                                                                          \
    } while (0)

static int make_image(image_t *img, uint16_t minor, uint32_t size)
{
    img->payload = malloc(size);
    if (!img->payload) {
        return FW_E_NOMEM;
    }
    for (uint32_t i = 0; i < size; i++) {
        img->payload[i] = (uint8_t)(i * 31u + minor);
    }
    memset(&img->h, 0, sizeof img->h);
    img->h.format = FWIMG_FORMAT;
    img->h.version = (fwimg_version_t){1, minor, 0};
    img->h.size = size;
    if (mbedtls_sha256_ret(img->payload, size, img->h.sha256, 0) != 0) {
        return FW_E_CRYPTO;
    }
    int rc = fwimg_header_sign(&img->h, &s_key, mbedtls_ctr_drbg_random, &s_drbg);
    fwimg_header_encode(&img->h, img->header);
    return rc;
}

static int board_up(int64_t cut_after, uint64_t seed)
{
    host_board_options_t o;
    host_board_options_default(&o);
    o.flash_path = s_img;
    o.flash_size = FLASH_BYTES;
    o.log_level = HAL_LOG_ERROR;
    o.cut_after = cut_after;
    o.cut_seed = seed;
    return host_board_init(&o);
}

static int mount(store_t *s)
{
    hal_flash_geometry_t geo;
    int rc = hal_flash_geometry(&geo);
    store_config_t cfg = {LAYOUT_STORE_FIRST_SECTOR, LAYOUT_STORE_SECTORS(geo.sector_size)};
    return rc ? rc : store_mount(s, &cfg);
}

static int install(const image_t *img)
{
    static store_t s;
    int rc = mount(&s);
    return rc ? rc : slots_install(&s, img->header, &img->h, img->payload, NULL, NULL, NULL, NULL);
}

/* Whole-file snapshots of the image and its secure file. */
typedef struct {
    uint8_t *img, *sec;
    size_t img_len, sec_len;
} files_t;

static int slurp(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return FW_E_IO;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = *buf ? fread(*buf, 1, (size_t)n, f) : 0;
    fclose(f);
    return *buf && *len == (size_t)n ? 0 : FW_E_IO;
}

static int spill(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        return FW_E_IO;
    }
    size_t n = fwrite(buf, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : FW_E_IO;
}

static int save(files_t *f)
{
    return slurp(s_img, &f->img, &f->img_len) || slurp(s_sec, &f->sec, &f->sec_len) ? FW_E_IO : 0;
}

static int restore(const files_t *f)
{
    return spill(s_img, f->img, f->img_len) || spill(s_sec, f->sec, f->sec_len) ? FW_E_IO : 0;
}

/* After a reboot: which verified firmware would boot? Returns its minor
 * version, or -1 if none. */
static int booted_minor(void)
{
    static store_t s;
    if (board_up(-1, 0) != 0) {
        return -1;
    }
    int minor = -1;
    slots_boot_t b;
    hal_flash_geometry_t geo;
    slots_slot_t slots[SLOTS_COUNT];
    char why[160];
    if (mount(&s) == 0 && slots_boot_read(&s, &b) == 0 && hal_flash_geometry(&geo) == 0 &&
        slots_layout(&geo, slots) == 0 && slots_check(slots, &b, &s_key, why, sizeof why) == 0) {
        minor = b.version.minor;
    }
    host_board_deinit();
    return minor;
}

/* Cut at operation 1, 2, ... until the update runs to completion. */
static void sweep(const char *name, const files_t *base, const image_t *next, int old_minor)
{
    int cuts = 0, saw_old = 0, saw_new = 0;
    for (int64_t n = 1; n <= MAX_CUTS; n++) {
        CHECK(restore(base) == 0, "%s: cannot restore the base image", name);
        if (board_up(n, (uint64_t)n) != 0) {
            CHECK(false, "%s: board does not come up (cut %lld)", name, (long long)n);
            return;
        }
        int rc = install(next);
        bool cut = host_board_power_cut();
        host_board_deinit();
        int minor = booted_minor();
        if (!cut) {
            /* n - 1 operations ran: every one of them has been cut once. */
            CHECK(rc == 0, "%s: uncut update failed: %s", name, fw_strerror(rc));
            CHECK(minor == next->h.version.minor, "%s: after a full update %d boots", name, minor);
            printf("sweep_flash: %s: %d power cuts, each left a bootable firmware (old %d times, "
                   "new %d times); the uncut update needs %lld operations\n",
                   name, cuts, saw_old, saw_new, (long long)n - 1);
            return;
        }
        cuts++;
        CHECK(rc != 0, "%s: update claimed success through a power cut at op %lld", name,
              (long long)n);
        CHECK(minor == old_minor || minor == next->h.version.minor,
              "%s: cut at op %lld left no bootable firmware (boots %d)", name, (long long)n, minor);
        saw_old += minor == old_minor;
        saw_new += minor == next->h.version.minor;
        /* The technician runs flash again: whatever the cut left (a torn
         * slot, a half-written record) must not stand in the way. */
        if (board_up(-1, 0) == 0) {
            rc = install(next);
            host_board_deinit();
            CHECK(rc == 0 && booted_minor() == next->h.version.minor,
                  "%s: re-flash after a cut at op %lld failed: %s", name, (long long)n,
                  fw_strerror(rc));
        }
    }
    CHECK(false, "%s: the update never completed within %d operations", name, MAX_CUTS);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(s_dir, sizeof s_dir, "%s/sweep_flash.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s_dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(s_img, sizeof s_img, "%s/dev.img", s_dir);
    snprintf(s_sec, sizeof s_sec, "%s.secure", s_img);

    mbedtls_entropy_context entropy;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&s_drbg);
    mbedtls_pk_init(&s_key);
    if (mbedtls_ctr_drbg_seed(&s_drbg, mbedtls_entropy_func, &entropy,
                              (const unsigned char *)"sweep", 5) != 0 ||
        mbedtls_pk_setup(&s_key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(s_key), mbedtls_ctr_drbg_random,
                            &s_drbg) != 0) {
        fprintf(stderr, "sweep_flash: key generation failed\n");
        return 1;
    }
    /* Sizes that end mid-sector and mid program unit (padding), spanning
     * several program chunks and most of a slot. */
    static image_t v1, v2, v3;
    if (make_image(&v1, 0, 290003) || make_image(&v2, 1, 300001) || make_image(&v3, 2, 270013)) {
        fprintf(stderr, "sweep_flash: cannot build images\n");
        return 1;
    }

    /* Round 1: a device running 1.0.0 from slot 0 gets 1.1.0 (into slot 1). */
    files_t base1 = {0}, base2 = {0};
    int rc = board_up(-1, 0);
    if (rc == 0) {
        rc = install(&v1);
        host_board_deinit();
    }
    CHECK(rc == 0 && booted_minor() == 0, "base: 1.0.0 does not install (%s)", fw_strerror(rc));
    CHECK(save(&base1) == 0, "base: cannot save");
    sweep("1.0.0 -> 1.1.0", &base1, &v2, 0);

    /* Round 2: running 1.1.0 from slot 1, 1.2.0 overwrites 1.0.0 in slot 0. */
    CHECK(restore(&base1) == 0, "cannot restore");
    rc = board_up(-1, 0);
    if (rc == 0) {
        rc = install(&v2);
        host_board_deinit();
    }
    CHECK(rc == 0 && booted_minor() == 1, "base: 1.1.0 does not install (%s)", fw_strerror(rc));
    CHECK(save(&base2) == 0, "base: cannot save");
    sweep("1.1.0 -> 1.2.0", &base2, &v3, 1);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    (void)system(cmd);
    mbedtls_pk_free(&s_key);
    mbedtls_ctr_drbg_free(&s_drbg);
    mbedtls_entropy_free(&entropy);
    free(base1.img);
    free(base1.sec);
    free(base2.img);
    free(base2.sec);
    free(v1.payload);
    free(v2.payload);
    free(v3.payload);
    if (s_failures) {
        fprintf(stderr, "sweep_flash: %d failure(s)\n", s_failures);
        return 1;
    }
    return 0;
}
