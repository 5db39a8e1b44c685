/*
 * sparkflash keygen, sign, flash: signed firmware images and installing them.
 *
 * flash checks everything it can about the image (signature, size, hash)
 * before TARGET is opened, and leaves the previous firmware active unless
 * the new one was written, read back and compared (see slots.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/error.h>
#include <mbedtls/sha256.h>

#include "flash_cli.h"
#include "crypto/es256.h"
#include "fw/err.h"
#include "fw/file.h"
#include "fw/zeroize.h"
#include "proto/fwimage.h"
#include "hal/system.h"
#include "proto/layout.h"
#include "proto/slots.h"

/* Parse "--name value" options into `vals` (NULL-terminated names) and
 * "--name" flags into `flags`. Returns SF_EXIT_OK, -1 after --help, or a usage
 * error. Shared by the three commands, whose options are all simple. */
typedef struct {
    const char *name;
    bool takes_value;
    const char **value;
    bool *flag;
} opt_t;

static int parse_opts(const char *cmd, int argc, char **argv, const opt_t *o, size_t n,
                      void (*usage)(FILE *), sf_target_opts_t *topts)
{
    static const struct option target_lo[] = {SF_TARGET_LONGOPTS};
    const size_t nt = topts ? sizeof target_lo / sizeof target_lo[0] : 0;
    struct option lo[16];
    size_t i;
    for (i = 0; i < n && i < 10; i++) {
        lo[i] = (struct option){o[i].name, o[i].takes_value ? required_argument : no_argument, NULL,
                                256 + (int)i};
    }
    for (size_t k = 0; k < nt; k++) {
        lo[i++] = target_lo[k];
    }
    if (topts) {
        memset(topts, 0, sizeof *topts);
    }
    lo[i++] = (struct option){"help", no_argument, NULL, 'h'};
    lo[i] = (struct option){NULL, 0, NULL, 0};
    sf_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return -1;
        }
        if (topts && sf_is_target_option(c)) {
            int rc = sf_target_option(cmd, c, optarg, topts);
            if (rc != SF_EXIT_OK) {
                return rc;
            }
            continue;
        }
        if (c < 256 || c >= 256 + (int)n) {
            return sf_getopt_error(cmd, c, argv);
        }
        const opt_t *p = &o[c - 256];
        if (p->takes_value) {
            if (*p->value) {
                return sf_usage_error(cmd, "--%s given twice", p->name);
            }
            *p->value = optarg;
        } else {
            *p->flag = true;
        }
    }
    if (optind < argc) {
        return sf_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    }
    return SF_EXIT_OK;
}

static int require(const char *cmd, const char *name, const char *value)
{
    return value ? SF_EXIT_OK : sf_usage_error(cmd, "missing --%s", name);
}

/* --------------------------------------------------------------- keygen */

static void keygen_usage(FILE *out)
{
    fputs("usage: sparkflash keygen --out PEM\n"
          "\n"
          "Makes an EC P-256 key pair for signing licences or firmware: the private key\n"
          "in PEM (mode 0600) and the public key in PEM.pub. Neither file may exist.\n"
          "\n"
          "  --out PEM  private key file; the public key goes to PEM.pub\n"
          "  --help     this text\n"
          "\n"
          "Exit codes: 0 written, 1 refused (a file exists) or failed, 2 usage.\n",
          out);
}

static int write_new(const char *path, const unsigned char *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) {
        return FW_E_IO;
    }
    bool ok = fchmod(fd, mode) == 0 && write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        int e = errno;
        (void)unlink(path);
        errno = e;
    }
    return ok ? 0 : FW_E_IO;
}

int sf_cmd_keygen(int argc, char **argv)
{
    const char *out = NULL;
    const opt_t o[] = {{"out", true, &out, NULL}};
    int rc = parse_opts("keygen", argc, argv, o, 1, keygen_usage, NULL);
    if (rc != SF_EXIT_OK) {
        return rc < 0 ? SF_EXIT_OK : rc;
    }
    if ((rc = require("keygen", "out", out)) != 0) {
        return rc;
    }
    char pub[4096];
    if (snprintf(pub, sizeof pub, "%s.pub", out) >= (int)sizeof pub) {
        return sf_refuse("keygen", "out: path too long");
    }
    struct stat st;
    if (stat(out, &st) == 0 || stat(pub, &st) == 0) {
        return sf_refuse("keygen",
                         "out: %s or %s already exists; expected new files (an "
                         "existing signing key is never overwritten)",
                         out, pub);
    }
    sf_rng_t rng;
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    static unsigned char priv_pem[1024], pub_pem[512];
    rc = sf_rng_init(&rng, "sparkflash keygen");
    if (rc == 0) {
        rc = es256_generate(&pk, mbedtls_ctr_drbg_random, &rng.drbg);
        if (rc == 0) {
            rc = mbedtls_pk_write_key_pem(&pk, priv_pem, sizeof priv_pem);
        }
        if (rc == 0) {
            rc = mbedtls_pk_write_pubkey_pem(&pk, pub_pem, sizeof pub_pem);
        }
        sf_rng_free(&rng);
    }
    mbedtls_pk_free(&pk);
    if (rc != 0) {
        fw_zeroize(priv_pem, sizeof priv_pem);
        return sf_fail("keygen", "key generation failed: %s", fw_strerror(rc));
    }
    if (write_new(out, priv_pem, strlen((char *)priv_pem), 0600) != 0) {
        rc = sf_fail("keygen", "cannot write %s: %s", out, strerror(errno));
    } else if (write_new(pub, pub_pem, strlen((char *)pub_pem), 0644) != 0) {
        rc = sf_fail("keygen", "cannot write %s: %s", pub, strerror(errno));
        (void)unlink(out); /* half a key pair is worse than none */
    }
    fw_zeroize(priv_pem, sizeof priv_pem);
    if (rc == 0) {
        char fp[17];
        sf_fingerprint(pub_pem, strlen((char *)pub_pem), fp);
        printf("wrote %s (private, mode 0600) and %s (public, sha256:%s)\n", out, pub, fp);
    }
    return rc;
}

/* ----------------------------------------------------------------- sign */

static void sign_usage(FILE *out)
{
    fputs("usage: sparkflash sign --key PEM --version X.Y.Z --in BIN --out IMG\n"
          "\n"
          "Wraps the firmware BIN in a signed image: a 128-byte header (magic SPKFWIMG,\n"
          "format version, X.Y.Z, payload size, payload SHA-256, ES256 signature over the\n"
          "header) followed by BIN. docs/SPARKFLASH.md has the byte layout.\n"
          "\n"
          "  --key PEM        EC P-256 private key (from sparkflash keygen)\n"
          "  --version X.Y.Z  firmware version, each part 0..65535\n"
          "  --in BIN         firmware payload, 1 byte to 512 MiB\n"
          "  --out IMG        signed image to write (replaced atomically)\n"
          "  --help           this text\n"
          "\n"
          "Exit codes: 0 written, 1 refused or failed, 2 usage.\n",
          out);
}

int sf_cmd_sign(int argc, char **argv)
{
    const char *key = NULL, *version = NULL, *in = NULL, *out = NULL;
    const opt_t o[] = {{"key", true, &key, NULL},
                       {"version", true, &version, NULL},
                       {"in", true, &in, NULL},
                       {"out", true, &out, NULL}};
    int rc = parse_opts("sign", argc, argv, o, 4, sign_usage, NULL);
    if (rc != SF_EXIT_OK) {
        return rc < 0 ? SF_EXIT_OK : rc;
    }
    if ((rc = require("sign", "key", key)) || (rc = require("sign", "version", version)) ||
        (rc = require("sign", "in", in)) || (rc = require("sign", "out", out))) {
        return rc;
    }
    fwimg_header_t h = {.format = FWIMG_FORMAT};
    if (fwimg_version_parse(version, &h.version) != 0) {
        return sf_refuse("sign", "version: expected X.Y.Z with each part 0 to 65535, got '%s'",
                         version);
    }
    if (strcmp(in, out) == 0) {
        return sf_refuse("sign", "out: must not be the same file as --in");
    }
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    rc = mbedtls_pk_parse_keyfile(&pk, key, NULL);
    if (rc != 0 || !fwimg_key_is_p256(&pk)) {
        char err[100] = "not an EC P-256 key";
        if (rc != 0) {
            mbedtls_strerror(rc, err, sizeof err);
        }
        mbedtls_pk_free(&pk);
        return sf_refuse("sign", "key: %s: %s; expected an EC P-256 private key in PEM", key, err);
    }
    uint8_t *payload = NULL;
    size_t len = 0;
    rc = fw_file_read(in, FWIMG_PAYLOAD_MAX, &payload, &len);
    if (rc != 0 || len == 0) {
        mbedtls_pk_free(&pk);
        free(payload);
        return sf_refuse("sign", "in: %s: %s; expected a firmware file of 1 byte to %u MiB", in,
                         rc == FW_E_TOOBIG ? "too large"
                         : rc              ? strerror(errno)
                                           : "empty",
                         FWIMG_PAYLOAD_MAX >> 20);
    }
    h.size = (uint32_t)len;
    uint8_t *img = malloc(FWIMG_HEADER_LEN + len);
    sf_rng_t rng;
    rc = img ? sf_rng_init(&rng, "sparkflash sign") : FW_E_NOMEM;
    if (rc == 0) {
        rc = mbedtls_sha256_ret(payload, len, h.sha256, 0) == 0 ? 0 : FW_E_CRYPTO;
        if (rc == 0) {
            rc = fwimg_header_sign(&h, &pk, mbedtls_ctr_drbg_random, &rng.drbg);
        }
        sf_rng_free(&rng);
    }
    mbedtls_pk_free(&pk);
    if (rc == 0) {
        fwimg_header_encode(&h, img);
        memcpy(img + FWIMG_HEADER_LEN, payload, len);
        if (fw_file_write_atomic(out, img, FWIMG_HEADER_LEN + len, 0644) != 0) {
            rc = sf_fail("sign", "cannot write %s: %s", out, strerror(errno));
        } else {
            printf("signed %s: version %s, %zu bytes payload -> %s\n", in, version, len, out);
        }
    } else {
        rc = sf_fail("sign", "signing failed: %s", fw_strerror(rc));
    }
    free(img);
    free(payload);
    return rc;
}

/* ---------------------------------------------------------------- flash */

static void flash_usage(FILE *out)
{
    fputs("usage: sparkflash flash --image TARGET --firmware IMG --pubkey PEM [--allow-downgrade]\n"
          "         [--board host|room] [--config FILE] [--secure-dir DIR]\n"
          "\n"
          "Installs a signed firmware image. Before TARGET is opened the image's signature\n"
          "(with PEM), size and SHA-256 are checked. The image is written to the slot that\n"
          "is not active, read back and compared, and only then made active by replacing\n"
          "the boot record in the store: a power cut or Ctrl-C at any point leaves the\n"
          "previous firmware active. Progress: a bar on a terminal, lines otherwise.\n"
          "\n"
          "  --image TARGET      host-board flash image or room board flash (see --board);\n"
          "                      must hold the store and two slots big enough for IMG\n"
          "                      (provision --create --flash-size BYTES makes such an image)\n"
          "  --firmware IMG      image from sparkflash sign\n"
          "  --pubkey PEM        EC P-256 public key the image must be signed with\n"
          "  --allow-downgrade   accept a version older than the active one\n",
          out);
    sf_target_usage(out, 22);
    fputs("  --help              this text\n"
          "\n"
          "Exit codes: 0 flashed, 1 refused (bad image, downgrade, TARGET) or failed, 2 usage.\n",
          out);
}

typedef struct {
    bool tty;
    const char *phase;
    int last; /* last percentage shown in this phase */
} progress_t;

static void progress_cb(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    progress_t *p = ctx;
    if (p->phase != phase) {
        if (p->tty && p->phase) {
            fputc('\n', stderr);
        }
        p->phase = phase;
        p->last = -1;
    }
    int pct = total ? (int)(done * 100 / total) : 100;
    if (p->tty) {
        if (pct == p->last) {
            return;
        }
        char bar[41];
        int fill = pct * 40 / 100;
        for (int i = 0; i < 40; i++) {
            bar[i] = i < fill ? '#' : '.';
        }
        bar[40] = '\0';
        fprintf(stderr, "\r%-6s [%s] %3d%%  %7.1f / %.1f MiB", phase, bar, pct,
                (double)done / 1048576.0, (double)total / 1048576.0);
    } else {
        /* Logs and CI: a line per quarter, never a carriage return. */
        if (pct / 25 == p->last / 25 || (p->last >= 0 && pct / 25 == 4 && p->last == 100)) {
            return;
        }
        fprintf(stderr, "sparkflash flash: %s %d%% (%.1f of %.1f MiB)\n", phase, pct,
                (double)done / 1048576.0, (double)total / 1048576.0);
    }
    p->last = pct;
    fflush(stderr);
}

static bool stop_cb(void *ctx)
{
    (void)ctx;
    return hal_system_stop_requested();
}

/* Every check of the image file; fills header and the payload pointer. */
static int check_image(const char *path, const char *pubkey_path, mbedtls_pk_context *pub,
                       const uint8_t *file, size_t len, fwimg_header_t *h)
{
    if (len < FWIMG_HEADER_LEN) {
        return sf_refuse("flash",
                         "firmware: %s is truncated: %zu bytes, shorter than the "
                         "%u-byte image header; expected an image from sparkflash sign",
                         path, len, FWIMG_HEADER_LEN);
    }
    int rc = fwimg_header_decode(file, h);
    if (rc == FW_E_UNSUPPORTED) {
        return sf_refuse("flash", "firmware: %s has image format %u; expected format %u", path,
                         (unsigned)h->format, FWIMG_FORMAT);
    }
    if (rc != 0) {
        return sf_refuse("flash",
                         "firmware: %s is not a signed firmware image (no %s header); "
                         "expected an image from sparkflash sign",
                         path, FWIMG_MAGIC);
    }
    if (fwimg_header_verify(file, pub) != 0) {
        return sf_refuse("flash",
                         "firmware: the signature of %s does not verify with %s; "
                         "expected an image signed with that key (wrong key, or the "
                         "header was altered)",
                         path, pubkey_path);
    }
    if (len - FWIMG_HEADER_LEN < h->size) {
        return sf_refuse("flash",
                         "firmware: %s is truncated: the header says %u bytes of "
                         "payload, the file has %zu",
                         path, h->size, len - FWIMG_HEADER_LEN);
    }
    if (len - FWIMG_HEADER_LEN > h->size) {
        return sf_refuse("flash",
                         "firmware: %s has %zu bytes after its %u-byte payload; "
                         "expected exactly header + payload (altered?)",
                         path, len - FWIMG_HEADER_LEN - h->size, h->size);
    }
    uint8_t digest[FWIMG_HASH_LEN];
    if (mbedtls_sha256_ret(file + FWIMG_HEADER_LEN, h->size, digest, 0) != 0 ||
        memcmp(digest, h->sha256, FWIMG_HASH_LEN) != 0) {
        return sf_refuse("flash",
                         "firmware: the payload of %s does not match the SHA-256 in its "
                         "signed header: the image was altered or damaged",
                         path);
    }
    return SF_EXIT_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int install(const char *image, const char *fw_path, const uint8_t *file,
                   const fwimg_header_t *h, bool allow_downgrade)
{
    static store_t s;
    int rc = sf_store_mount(&s);
    if (rc != 0) {
        return sf_fail("flash", "cannot mount the store on %s: %s", image, fw_strerror(rc));
    }
    char newv[20], curv[20] = "none";
    fwimg_version_format(&h->version, newv, sizeof newv);
    slots_boot_t cur;
    int brc = slots_boot_read(&s, &cur);
    if (brc == 0) {
        fwimg_version_format(&cur.version, curv, sizeof curv);
        if (fwimg_version_cmp(&h->version, &cur.version) < 0 && !allow_downgrade) {
            return sf_refuse("flash",
                             "version: %s is %s, older than the active %s; expected a "
                             "newer or equal version (or --allow-downgrade)",
                             fw_path, newv, curv);
        }
    } else if (brc != FW_E_NOENT) {
        sf_note("flash", "warning: the boot record is unreadable (%s); writing slot 0",
                fw_strerror(brc));
    }
    progress_t pr = {.tty = isatty(STDERR_FILENO) == 1};
    slots_boot_t done;
    double t0 = now_s();
    rc = slots_install(&s, file, h, file + FWIMG_HEADER_LEN, progress_cb, stop_cb, &pr, &done);
    double dt = now_s() - t0;
    if (pr.tty && pr.phase) {
        fputc('\n', stderr);
    }
    if (rc == FW_E_NOSPACE) {
        return sf_refuse("flash",
                         "image: the slots of %s are too small for %u bytes; expected a "
                         "larger image (provision --create --flash-size)",
                         image, h->size);
    }
    if (rc != 0) {
        const char *what = rc == FW_E_STATE     ? "interrupted"
                           : rc == FW_E_CORRUPT ? "read-back differs from the image"
                                                : fw_strerror(rc);
        return sf_fail("flash", "%s: %s; the previous firmware (%s) stays active", image, what,
                       curv);
    }
    printf("flashed %s (version %s, %u bytes) into slot %u of %s in %.2f s (%.1f MiB/s with "
           "read-back); active firmware was %s\n",
           fw_path, newv, h->size, done.slot, image, dt,
           dt > 0 ? (double)h->size / 1048576.0 / dt : 0.0, curv);
    return SF_EXIT_OK;
}

int sf_cmd_flash(int argc, char **argv)
{
    const char *image = NULL, *firmware = NULL, *pubkey = NULL;
    bool downgrade = false;
    const opt_t o[] = {{"image", true, &image, NULL},
                       {"firmware", true, &firmware, NULL},
                       {"pubkey", true, &pubkey, NULL},
                       {"allow-downgrade", false, NULL, &downgrade}};
    sf_target_opts_t topts;
    int rc = parse_opts("flash", argc, argv, o, 4, flash_usage, &topts);
    if (rc != SF_EXIT_OK) {
        return rc < 0 ? SF_EXIT_OK : rc;
    }
    if ((rc = require("flash", "image", image)) || (rc = require("flash", "firmware", firmware)) ||
        (rc = require("flash", "pubkey", pubkey))) {
        return rc;
    }
    mbedtls_pk_context pub;
    mbedtls_pk_init(&pub);
    char why[512];
    if (sf_load_p256_public("pubkey", pubkey, &pub, why, sizeof why) != 0) {
        mbedtls_pk_free(&pub);
        return sf_refuse("flash", "%s", why);
    }
    uint8_t *file = NULL;
    size_t len = 0;
    rc = fw_file_read(firmware, (size_t)FWIMG_HEADER_LEN + FWIMG_PAYLOAD_MAX, &file, &len);
    if (rc != 0) {
        mbedtls_pk_free(&pub);
        return sf_refuse("flash", "firmware: cannot read %s: %s", firmware,
                         rc == FW_E_TOOBIG ? "larger than any image" : strerror(errno));
    }
    fwimg_header_t h;
    rc = check_image(firmware, pubkey, &pub, file, len, &h);
    mbedtls_pk_free(&pub);
    sf_target_info_t info;
    static sf_target_t t;
    if (rc == 0 && (rc = sf_target_resolve("flash", image, &topts, &t)) == 0) {
        rc = sf_target_check("flash", &t, SF_TARGET_WRITE,
                             slots_min_flash_bytes(LAYOUT_SECTOR_SIZE, h.size), &info);
    }
    if (rc == 0) {
        sf_board_args_t args = {.target = &t};
        rc = sf_board_open("flash", &args);
        if (rc == 0) {
            rc = install(image, firmware, file, &h, downgrade);
            sf_board_close();
        }
    }
    free(file);
    return rc;
}
