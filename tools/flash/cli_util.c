/*
 * Shared pieces of the sparkflash sub-commands: messages, option parsing,
 * random numbers, keys, files. Targets are in target*.c.
 */
#include "flash_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/sha256.h>

#include "fw/err.h"
#include "fw/file.h"
#include "fw/hex.h"
#include "proto/fwimage.h"
#include "hal/flash.h"
#include "proto/layout.h"

/* ------------------------------------------------------------- messages */

static void vmsg(const char *cmd, const char *kind, const char *fmt, va_list ap) SF_PRINTF(3, 0);
static void vmsg(const char *cmd, const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "sparkflash %s: %s", cmd, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int sf_refuse(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "refused: ", fmt, ap);
    va_end(ap);
    return SF_EXIT_REFUSED;
}

int sf_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "failed: ", fmt, ap);
    va_end(ap);
    return SF_EXIT_REFUSED;
}

int sf_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "", fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'sparkflash %s --help'.\n", cmd);
    return SF_EXIT_USAGE;
}

void sf_note(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "", fmt, ap);
    va_end(ap);
}

int sf_getopt_error(const char *cmd, int c, char *const argv[])
{
    const char *arg = argv[optind - 1] ? argv[optind - 1] : "";
    if (c == ':') {
        return sf_usage_error(cmd, "option %s needs a value", arg);
    }
    return sf_usage_error(cmd, "unknown option %s", arg);
}

void sf_getopt_reset(void)
{
    optind = 0; /* glibc: 0 re-initialises getopt completely */
    opterr = 0;
}

/* ------------------------------------------------------------ utilities */

int sf_rng_init(sf_rng_t *r, const char *personal)
{
    mbedtls_entropy_init(&r->entropy);
    mbedtls_ctr_drbg_init(&r->drbg);
    int rc = mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
                                   (const unsigned char *)personal, strlen(personal));
    return rc == 0 ? 0 : FW_E_MBEDTLS(rc);
}

void sf_rng_free(sf_rng_t *r)
{
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->entropy);
}

int sf_load_p256_public(const char *field, const char *path, mbedtls_pk_context *pk, char *why,
                        size_t cap)
{
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = fw_file_read(path, 64 * 1024, &text, &len);
    if (rc != 0) {
        (void)snprintf(why, cap, "%s: cannot read %s: %s; expected an EC P-256 public key file",
                       field, path, rc == FW_E_TOOBIG ? "larger than 64 KiB" : strerror(errno));
        return FW_E_IO;
    }
    bool is_private = strstr((const char *)text, "PRIVATE KEY") != NULL;
    free(text);
    if (is_private) {
        (void)snprintf(why, cap,
                       "%s: %s is a private key; expected the EC P-256 public key (a private "
                       "key never leaves the signing station)",
                       field, path);
        return FW_E_FORMAT;
    }
    rc = mbedtls_pk_parse_public_keyfile(pk, path);
    if (rc != 0) {
        char err[100];
        mbedtls_strerror(rc, err, sizeof err);
        (void)snprintf(why, cap,
                       "%s: %s is not a public key (%s); expected an EC P-256 public key "
                       "in PEM",
                       field, path, err);
        return FW_E_FORMAT;
    }
    if (!fwimg_key_is_p256(pk)) {
        const char *curve = "";
        if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY) {
            const mbedtls_ecp_curve_info *ci =
                mbedtls_ecp_curve_info_from_grp_id(mbedtls_pk_ec(*pk)->grp.id);
            curve = ci ? ci->name : "an unknown curve";
        }
        (void)snprintf(why, cap,
                       "%s: %s holds a %s key%s%s; expected an EC P-256 (secp256r1) "
                       "public key",
                       field, path, mbedtls_pk_get_name(pk), *curve ? " on " : "", curve);
        return FW_E_FORMAT;
    }
    return 0;
}

void sf_fingerprint(const void *data, size_t n, char out[17])
{
    uint8_t h[32];
    if (mbedtls_sha256_ret(data, n, h, 0) != 0) {
        memset(h, 0, sizeof h);
    }
    (void)fw_hex_encode(h, 8, out, 17);
}
