/*
 * sparkflash provision: check every field, then write the provisioning record
 * through the store (the code the agent reads it with) and hand the keys over
 * in an enrollment record.
 *
 * Order matters: every check that can refuse runs before TARGET is opened,
 * the enrollment record is written to a temporary file before the device is
 * touched (so a full disk cannot leave a device whose keys nobody knows), and
 * it is renamed into place only once the record has been read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flash_cli.h"
#include "fw/err.h"
#include "fw/file.h"
#include "fw/zeroize.h"
#include "hal/identity.h"
#include "hal/secure.h"
#include "locales.h"
#include "proto/json.h"
#include "proto/layout.h"
#include "proto/provisioning.h"
#include "proto/psk_seal.h"

#define CMD "provision"
#define GENERATED_PSK_LEN 32u

static void usage(FILE *out)
{
    fputs("usage: sparkflash provision --image TARGET --serial SN --model NAME --trial DNNN\n"
          "         --server coaps://HOST:PORT --licence-pubkey PEM --region CC --locale LL\n"
          "         [--psk HEX] [--psk-identity ID] [--support-psk HEX] [--return-url URL]\n"
          "         [--dial-prefix D] [--enroll-out FILE] [--keep-devices]\n"
          "         [--create [--flash-size BYTES]]\n"
          "         [--board host|room] [--config FILE] [--secure-dir DIR]\n"
          "\n"
          "Writes the provisioning record of a factory-fresh (or factory-reset) device.\n"
          "Every value is checked before TARGET is opened; a refusal changes nothing.\n"
          "\n"
          "  --image TARGET         host-board flash image (TARGET.secure beside it), or a\n"
          "                         room board's flash (MTD or block device; see --board)\n"
          "  --serial SN            8 to 20 of A-Z 0-9; must match the device's hardware serial\n"
          "  --model NAME           1 to 47 printable characters\n"
          "  --trial DNNN           trial number: D and 1 to 15 digits (R1)\n"
          "  --server URI           coaps://HOST:PORT of the collector (DTLS only)\n"
          "  --licence-pubkey PEM   EC P-256 public key that signs this device's licences\n"
          "  --region CC            ISO 3166 two-letter country code in capitals\n"
          "  --locale LL            screen language: en or de, optionally -CC (de-AT)\n"
          "  --psk HEX              device DTLS PSK, 16 to 64 bytes (default: 32 random bytes)\n"
          "  --psk-identity ID      DTLS PSK identity, 1 to 64 characters (default: the serial)\n"
          "  --support-psk HEX      local support PSK, 16 to 64 bytes (default: 32 random bytes)\n"
          "  --return-url URL       RMA return instructions link, http(s):// (R12)\n"
          "  --dial-prefix D        the room PBX's outside-line prefix, 0 to 2 digits (e.g. 9);\n"
          "                         emergency numbers work with and without it (default: none)\n"
          "  --enroll-out FILE      write the enrollment record (JSON, mode 0600; must not exist)\n"
          "                         for 'spark-collector admin enroll --from FILE'\n"
          "  --keep-devices         the customer keeps the devices (R3); in the enrollment record\n"
          "  --create               make a factory-fresh host image if TARGET does not exist\n"
          "  --flash-size BYTES     size of that new image (multiple of 16384, >= 524288)\n",
          out);
    sf_target_usage(out, 25);
    fputs("  --help                 this text\n"
          "\n"
          "Exit codes: 0 provisioned, 1 refused or failed (TARGET unchanged), 2 usage.\n",
          out);
}

typedef struct {
    const char *image, *serial, *model, *trial, *server, *pubkey, *region, *locale;
    const char *psk, *psk_identity, *support_psk, *return_url, *enroll_out, *dial_prefix;
    const char *flash_size;
    bool create, keep_devices;
    sf_target_opts_t target;
} prov_args_t;

/* Options O_IMAGE .. O_PREFIX take a value each (prov_args_slot()); those named
 * like a field of the provisioning record (--psk-identity: psk_identity) set
 * that field, with the table's rules. */
enum {
    O_IMAGE = 256,
    O_SERIAL,
    O_MODEL,
    O_TRIAL,
    O_SERVER,
    O_PUBKEY,
    O_REGION,
    O_LOCALE,
    O_PSK,
    O_PSKID,
    O_SUPPORT,
    O_RETURN,
    O_ENROLL,
    O_PREFIX,
    O_CREATE,
    O_SIZE,
    O_KEEP,
    O_HELP
};
static const struct option s_opts[] = {
    {"image", required_argument, NULL, O_IMAGE},
    {"serial", required_argument, NULL, O_SERIAL},
    {"model", required_argument, NULL, O_MODEL},
    {"trial", required_argument, NULL, O_TRIAL},
    {"server", required_argument, NULL, O_SERVER},
    {"licence-pubkey", required_argument, NULL, O_PUBKEY},
    {"region", required_argument, NULL, O_REGION},
    {"locale", required_argument, NULL, O_LOCALE},
    {"psk", required_argument, NULL, O_PSK},
    {"psk-identity", required_argument, NULL, O_PSKID},
    {"support-psk", required_argument, NULL, O_SUPPORT},
    {"return-url", required_argument, NULL, O_RETURN},
    {"enroll-out", required_argument, NULL, O_ENROLL},
    {"dial-prefix", required_argument, NULL, O_PREFIX},
    {"create", no_argument, NULL, O_CREATE},
    {"flash-size", required_argument, NULL, O_SIZE},
    {"keep-devices", no_argument, NULL, O_KEEP},
    {"help", no_argument, NULL, O_HELP},
    SF_TARGET_LONGOPTS,
    {NULL, 0, NULL, 0},
};
/* The value of option O_IMAGE + i. */
static const char **prov_args_slot(prov_args_t *a, size_t i)
{
    const char **slot[] = {&a->image,      &a->serial,       &a->model,       &a->trial,
                           &a->server,     &a->pubkey,       &a->region,      &a->locale,
                           &a->psk,        &a->psk_identity, &a->support_psk, &a->return_url,
                           &a->enroll_out, &a->dial_prefix};
    return slot[i];
}

static int parse_args(int argc, char **argv, prov_args_t *a)
{
    memset(a, 0, sizeof *a);
    sf_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":", s_opts, NULL)) != -1) {
        if (sf_is_target_option(c)) {
            int rc = sf_target_option(CMD, c, optarg, &a->target);
            if (rc != SF_EXIT_OK) {
                return rc;
            }
        } else if (c >= O_IMAGE && c <= O_PREFIX) {
            const char **dst = prov_args_slot(a, (size_t)(c - O_IMAGE));
            if (*dst) {
                /* Two different values: which did the technician mean? */
                return sf_usage_error(CMD, "--%s given twice", s_opts[c - O_IMAGE].name);
            }
            *dst = optarg;
        } else if (c == O_CREATE) {
            a->create = true;
        } else if (c == O_KEEP) {
            a->keep_devices = true;
        } else if (c == O_SIZE) {
            a->flash_size = optarg;
        } else if (c == O_HELP) {
            usage(stdout);
            return -1;
        } else {
            return sf_getopt_error(CMD, c, argv);
        }
    }
    if (optind < argc) {
        return sf_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    }
    for (size_t i = 0; i < 8; i++) { /* the required ones come first in opts[] */
        if (!*prov_args_slot(a, i)) {
            return sf_usage_error(CMD, "missing --%s", s_opts[i].name);
        }
    }
    if (a->flash_size && !a->create) {
        return sf_usage_error(CMD, "--flash-size only applies with --create");
    }
    return SF_EXIT_OK;
}

/* The option that sets field `f` (its name, '-' for '_'), or NULL. */
static const char *arg_for(prov_args_t *a, const proto_field_t *f, char *flag, size_t cap)
{
    (void)snprintf(flag, cap, "%s", f->name);
    for (char *c = flag; *c; c++) {
        *c = *c == '_' ? '-' : *c;
    }
    for (size_t i = 0; i <= O_PREFIX - O_IMAGE; i++) {
        if (strcmp(s_opts[i].name, flag) == 0) {
            return *prov_args_slot(a, i);
        }
    }
    return NULL;
}

/* Field `f` of `p` from `text`, with the table's rules; a refusal names the
 * option (--psk-identity: "psk-identity: ...") where the record's reason
 * names the field. */
static int set_field(const proto_field_t *f, const char *flag, proto_provisioning_t *p,
                     const char *text)
{
    char why[320];
    if (proto_field_from_text(f, p, text, "", why, sizeof why) == 0) {
        return SF_EXIT_OK;
    }
    size_t n = strlen(f->name);
    bool named = strncmp(why, f->name, n) == 0 && why[n] == ':';
    return sf_refuse(CMD, "%s%s", named ? flag : "", named ? why + n : why);
}

/* The licence public key file (PEM or DER), as PEM: the record always reads
 * the same way. */
static int load_pubkey(const char *path, char *pem, size_t cap)
{
    char why[512];
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    if (sf_load_p256_public("licence-pubkey", path, &pk, why, sizeof why) != 0) {
        mbedtls_pk_free(&pk);
        return sf_refuse(CMD, "%s", why);
    }
    int rc = mbedtls_pk_write_pubkey_pem(&pk, (unsigned char *)pem, cap);
    mbedtls_pk_free(&pk);
    return rc == 0 ? SF_EXIT_OK
                   : sf_fail(CMD, "licence-pubkey: cannot encode as PEM (mbedtls -0x%04x)", -rc);
}

/* Fill `p` from the arguments, field by field of the record's table,
 * refusing the first bad value. */
static int build_record(prov_args_t *a, proto_provisioning_t *p, bool *psk_generated,
                        bool *support_generated)
{
    static char pem[sizeof p->licence_pubkey];
    char why[512], flag[32];
    int rc;
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < proto_provisioning_record.n; i++) {
        const proto_field_t *f = &proto_provisioning_record.fields[i];
        const char *text = arg_for(a, f, flag, sizeof flag);
        if (text && strcmp(f->name, "licence_pubkey") == 0) { /* the option names a file */
            if ((rc = load_pubkey(text, pem, sizeof pem)) != 0) {
                return rc;
            }
            text = pem;
        } else if (!text && strcmp(f->name, "psk_identity") == 0) {
            text = a->serial; /* the default identity */
        }
        if (text && (rc = set_field(f, flag, p, text)) != 0) {
            return rc;
        }
    }
    /* Only languages the screens have (firmware/ui's catalogues). */
    if (sf_locale_check(p->locale, why, sizeof why) != 0) {
        return sf_refuse(CMD, "%s", why);
    }
    p->provisioned_at = (int64_t)time(NULL);

    *psk_generated = p->psk_len == 0;
    *support_generated = p->support_psk_len == 0;
    if (*psk_generated || *support_generated) {
        sf_rng_t rng;
        rc = sf_rng_init(&rng, "sparkflash provision psk");
        if (rc == 0 && *psk_generated) {
            rc = mbedtls_ctr_drbg_random(&rng.drbg, p->psk, GENERATED_PSK_LEN);
            p->psk_len = GENERATED_PSK_LEN;
        }
        if (rc == 0 && *support_generated) {
            rc = mbedtls_ctr_drbg_random(&rng.drbg, p->support_psk, GENERATED_PSK_LEN);
            p->support_psk_len = GENERATED_PSK_LEN;
        }
        sf_rng_free(&rng);
        if (rc != 0) {
            return sf_fail(CMD, "cannot generate a PSK: no entropy (mbedtls -0x%04x)", -rc);
        }
    }
    if (proto_provisioning_validate(p, why, sizeof why) != 0) {
        return sf_refuse(CMD, "%s", why); /* every option was given: a missing one */
    }
    return SF_EXIT_OK;
}

/* The enrollment record (docs/ENROLLMENT.md): every field of the same name
 * in the provisioning record just written, and keep_devices. Secrets in
 * hex: this file is the one place the cloud learns the PSKs, so it is
 * created mode 0600 and `buf` is wiped by the caller. */
static int enrollment_text(const proto_provisioning_t *p, bool keep_devices, char *buf, size_t cap,
                           size_t *len)
{
    static proto_enrollment_t e;
    memset(&e, 0, sizeof e);
    (void)proto_record_copy(&proto_enrollment_record, &e, &proto_provisioning_record, p);
    e.keep_devices = keep_devices;
    char why[256];
    int rc = proto_json_encode_record(&proto_enrollment_record, &e, true, buf, cap, len, why,
                                      sizeof why);
    fw_zeroize(&e, sizeof e);
    return rc == 0 ? SF_EXIT_OK : sf_fail(CMD, "enrollment record: %s", why);
}

static int check_enroll_path(const char *path, const char *image)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        return sf_refuse(CMD,
                         "enroll-out: %s already exists; expected a new file (it may hold "
                         "another device's keys)",
                         path);
    }
    char secure[PATH_MAX];
    (void)snprintf(secure, sizeof secure, "%s.secure", image);
    if (strcmp(path, image) == 0 || strcmp(path, secure) == 0) {
        return sf_refuse(CMD, "enroll-out: must not be the flash image or its secure file");
    }
    return SF_EXIT_OK;
}

/* Write the enrollment record of `p` under FILE.tmp, before anything of the
 * device is written (so a full disk cannot leave a device whose keys nobody
 * knows); renamed into place once the device reads its record back. */
static int stage_enrollment(const prov_args_t *a, const proto_provisioning_t *p, char *tmp,
                            size_t cap)
{
    static char text[4096];
    size_t len = 0;
    int rc = enrollment_text(p, a->keep_devices, text, sizeof text - 1, &len);
    if (rc != 0) {
        return rc;
    }
    text[len++] = '\n';
    (void)snprintf(tmp, cap, "%s.tmp", a->enroll_out);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        tmp[0] = '\0';
        rc = sf_refuse(CMD, "enroll-out: cannot create %s.tmp: %s", a->enroll_out, strerror(errno));
    } else {
        bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
        int e = errno;
        ok = close(fd) == 0 && ok;
        if (!ok) {
            (void)unlink(tmp);
            tmp[0] = '\0';
            rc = sf_refuse(CMD, "enroll-out: cannot write %s.tmp: %s", a->enroll_out, strerror(e));
        }
    }
    fw_zeroize(text, sizeof text);
    return rc;
}

/* The record as the agent will see it: mount afresh, read, decode, compare. */
static int read_back(const char *expect, size_t len)
{
    static store_t s;
    static char buf[STORE_VALUE_MAX];
    size_t got = 0;
    int rc = sf_store_mount(&s);
    if (rc == 0) {
        rc = store_get(&s, STORE_KEY_PROVISIONING, buf, sizeof buf, &got);
    }
    if (rc != 0) {
        return sf_fail(CMD, "read-back: the provisioning record does not read back: %s",
                       fw_strerror(rc));
    }
    proto_provisioning_t p;
    char why[256];
    if (proto_provisioning_open(buf, got, &p, NULL, why, sizeof why) != 0) {
        fw_zeroize(buf, sizeof buf);
        return sf_fail(CMD, "read-back: the stored record does not decode: %s", why);
    }
    bool same = got == len && memcmp(buf, expect, len) == 0;
    fw_zeroize(buf, sizeof buf);
    fw_zeroize(&p, sizeof p);
    return same ? SF_EXIT_OK : sf_fail(CMD, "read-back: the stored record differs");
}

/* The generation of this provisioning (proto/provisioning.h): the first
 * value of the secure element's monotonic counter no record or earlier
 * provisioning of this device was bound to. Read only: bind_generation()
 * takes it. */
static int next_generation(store_t *s, uint32_t *gen)
{
    uint32_t hw = 0;
    store_health_t h;
    store_health(s, &h);
    int rc = hal_secure_counter_read(&hw);
    if (rc != 0) {
        return sf_fail(CMD, "cannot read the secure element's monotonic counter: %s",
                       fw_strerror(rc));
    }
    uint32_t top = hw > h.counter_flash ? hw : h.counter_flash;
    if (top == UINT32_MAX) {
        return sf_fail(CMD, "the secure element's monotonic counter is exhausted");
    }
    *gen = top + 1;
    return SF_EXIT_OK;
}

/* Writing STORE_KEY_GENERATION with STORE_F_MONOTONIC binds `gen` and moves
 * the counter to exactly it, so the next provisioning (after a factory
 * reset, or a flash wiped by any other means) gets a later one. */
static int bind_generation(store_t *s, uint32_t gen)
{
    const uint8_t le[4] = {(uint8_t)gen, (uint8_t)(gen >> 8), (uint8_t)(gen >> 16),
                           (uint8_t)(gen >> 24)};
    int rc = store_put(s, STORE_KEY_GENERATION, le, sizeof le, STORE_F_MONOTONIC);
    if (rc != 0) {
        return sf_fail(CMD, "writing the provisioning generation: %s", fw_strerror(rc));
    }
    store_health_t h;
    store_health(s, &h);
    if (h.counter_flash != gen) { /* the store bound it elsewhere: never guess */
        return sf_fail(CMD, "provisioning generation: expected the counter at %u, it is at %u",
                       (unsigned)gen, (unsigned)h.counter_flash);
    }
    return SF_EXIT_OK;
}

/* Refuse devices that are not ours to provision; then take a generation,
 * stage the enrollment record (into tmp, with --enroll-out), write the
 * record and read it back. */
static int write_device(const prov_args_t *a, proto_provisioning_t *p, char *tmp, size_t tmp_cap)
{
    hal_identity_t id;
    if (hal_identity_get(&id) != 0) {
        return sf_fail(CMD, "cannot read the device identity");
    }
    if (strcmp(id.serial, a->serial) != 0) {
        return sf_refuse(CMD, "serial: the device's hardware serial is %s; expected --serial %s",
                         id.serial, id.serial);
    }
    static store_t s;
    int rc = sf_store_mount(&s);
    if (rc != 0) {
        return sf_fail(CMD, "cannot mount the store on %s: %s", a->image, fw_strerror(rc));
    }
    static char old[STORE_VALUE_MAX];
    size_t old_len = 0;
    rc = store_get(&s, STORE_KEY_PROVISIONING, old, sizeof old, &old_len);
    if (rc != FW_E_NOENT) {
        proto_provisioning_t prev;
        char why[256];
        char who[96] = "unreadable record";
        if (rc == 0 && proto_provisioning_open(old, old_len, &prev, NULL, why, sizeof why) == 0) {
            (void)snprintf(who, sizeof who, "serial %s, trial %s", prev.serial, prev.trial);
        }
        fw_zeroize(old, sizeof old);
        fw_zeroize(&prev, sizeof prev);
        return sf_refuse(CMD,
                         "image: %s is already provisioned (%s); expected a factory-fresh device: "
                         "run 'sparkflash factory-reset --image %s --yes' first",
                         a->image, who, a->image);
    }
    if ((rc = next_generation(&s, &p->gen)) != 0 ||
        (a->enroll_out && (rc = stage_enrollment(a, p, tmp, tmp_cap)) != 0) ||
        (rc = bind_generation(&s, p->gen)) != 0) {
        return rc;
    }
    static char json[STORE_VALUE_MAX];
    size_t len = 0;
    char why[256] = "";
    rc = proto_provisioning_encode(p, json, sizeof json, &len, why, sizeof why);
    if (rc != 0) {
        fw_zeroize(json, sizeof json);
        return sf_fail(CMD, "encoding the provisioning record: %s", why);
    }
    /* In flash the PSKs are sealed under the device's secure element
     * (proto/psk_seal.h): the board is up now, so its key is there. */
    static char sealed[STORE_VALUE_MAX];
    size_t sealed_len = 0;
    uint8_t nonces[PROTO_PSK_SEAL_RANDOM_LEN];
    sf_rng_t rng;
    rc = sf_rng_init(&rng, "sparkflash provision seal");
    if (rc == 0) {
        rc = mbedtls_ctr_drbg_random(&rng.drbg, nonces, sizeof nonces) == 0 ? 0 : FW_E_IO;
        sf_rng_free(&rng);
    }
    if (rc == 0) {
        rc = proto_psk_seal(json, len, nonces, sealed, sizeof sealed, &sealed_len, why, sizeof why);
    }
    fw_zeroize(json, sizeof json);
    if (rc != 0) {
        fw_zeroize(sealed, sizeof sealed);
        return sf_fail(CMD, "sealing the PSKs: %s", why[0] ? why : fw_strerror(rc));
    }
    rc = store_put(&s, STORE_KEY_PROVISIONING, sealed, sealed_len, 0);
    if (rc != 0) {
        return sf_fail(CMD, "writing the provisioning record: %s", fw_strerror(rc));
    }
    return read_back(sealed, sealed_len);
}

static int parse_flash_size(const char *text, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = text[0] >= '0' && text[0] <= '9' ? strtoull(text, &end, 10) : 0;
    if (!end || *end || errno || v < LAYOUT_MIN_FLASH_BYTES || v > UINT32_MAX ||
        v % LAYOUT_SECTOR_SIZE != 0) {
        return sf_refuse(CMD,
                         "flash-size: expected a byte count, a multiple of %u, from %u to %u; "
                         "got '%s'",
                         (unsigned)LAYOUT_SECTOR_SIZE, (unsigned)LAYOUT_MIN_FLASH_BYTES,
                         (unsigned)(UINT32_MAX / LAYOUT_SECTOR_SIZE * LAYOUT_SECTOR_SIZE), text);
    }
    *out = (uint32_t)v;
    return SF_EXIT_OK;
}

int sf_cmd_provision(int argc, char **argv)
{
    prov_args_t a;
    int rc = parse_args(argc, argv, &a);
    if (rc != SF_EXIT_OK) {
        return rc < 0 ? SF_EXIT_OK : rc; /* -1: --help */
    }
    uint32_t flash_size = 0;
    if (a.flash_size && (rc = parse_flash_size(a.flash_size, &flash_size)) != 0) {
        return rc;
    }
    static proto_provisioning_t p;
    bool psk_gen = false, support_gen = false;
    if ((rc = build_record(&a, &p, &psk_gen, &support_gen)) != 0) {
        fw_zeroize(&p, sizeof p);
        return rc;
    }
    /* Encoded once here, before TARGET is touched, to refuse early; the
     * generation (taken on the device) is then at its largest. */
    static char json[STORE_VALUE_MAX];
    size_t len = 0;
    char why[256];
    p.gen = (uint32_t)PROTO_GEN_MAX;
    rc = proto_provisioning_encode(&p, json, sizeof json, &len, why, sizeof why);
    p.gen = 0;
    if (rc != 0) {
        fw_zeroize(&p, sizeof p);
        return rc == FW_E_NOSPACE ? sf_refuse(CMD, "record: larger than %u bytes", STORE_VALUE_MAX)
                                  : sf_refuse(CMD, "%s", why);
    }
    if (a.enroll_out && (rc = check_enroll_path(a.enroll_out, a.image)) != 0) {
        goto out;
    }
    sf_target_info_t info;
    static sf_target_t t;
    rc = sf_target_resolve(CMD, a.image, &a.target, &t);
    if (rc == 0) {
        rc =
            sf_target_check(CMD, &t, a.create ? SF_TARGET_WRITE_CREATE : SF_TARGET_WRITE, 0, &info);
    }
    if (rc != 0) {
        goto out;
    }
    if (info.hw_serial[0] && strcmp(info.hw_serial, a.serial) != 0) {
        /* Before the board is up: first contact would create a device key. */
        rc = sf_refuse(CMD, "serial: the device's hardware serial is %s; expected --serial %s",
                       info.hw_serial, info.hw_serial);
        goto out;
    }
    if (info.exists && flash_size && info.size != flash_size) {
        rc = sf_refuse(CMD,
                       "flash-size: %s exists with %llu bytes; expected no --flash-size or "
                       "that size",
                       a.image, (unsigned long long)info.size);
        goto out;
    }

    char tmp[PATH_MAX] = "";
    sf_board_args_t board = {
        .target = &t, .flash_size = flash_size, .serial = a.serial, .model = a.model};
    rc = sf_board_open(CMD, &board);
    if (rc == 0) {
        rc = write_device(&a, &p, tmp, sizeof tmp);
        sf_board_close();
    }
    if (rc == 0 && a.enroll_out && rename(tmp, a.enroll_out) != 0) {
        rc = sf_fail(CMD,
                     "the device is provisioned but %s could not be renamed to %s: %s; "
                     "keep %s, it is the only copy of the device's keys",
                     tmp, a.enroll_out, strerror(errno), tmp);
        tmp[0] = '\0';
    } else if (rc != 0 && tmp[0]) {
        (void)unlink(tmp);
    } else if (rc == 0 && a.enroll_out && fw_file_sync_dir(a.enroll_out) != 0) {
        fprintf(stderr, "sparkflash %s: warning: %s written but its directory not synced: %s\n",
                CMD, a.enroll_out, strerror(errno));
    }
    if (rc == 0) {
        char fp[17], sfp[17];
        sf_fingerprint(p.psk, p.psk_len, fp);
        sf_fingerprint(p.support_psk, p.support_psk_len, sfp);
        printf("provisioned %s%s: serial %s, trial %s, model %s, generation %u\n", a.image,
               info.exists ? "" : " (new factory-fresh image)", p.serial, p.trial, p.model,
               (unsigned)p.gen);
        printf("  server %s, region %s, locale %s, dial prefix %s\n", p.server, p.region, p.locale,
               p.dial_prefix[0] ? p.dial_prefix : "(none)");
        printf("  psk %s (fingerprint %s), identity %s\n", psk_gen ? "generated" : "given", fp,
               p.psk_identity);
        printf("  support psk %s (fingerprint %s)\n", support_gen ? "generated" : "given", sfp);
        if (a.enroll_out) {
            printf("  enrollment record: %s\n", a.enroll_out);
        } else if (psk_gen || support_gen) {
            sf_note(CMD, "warning: a generated PSK is stored only on the device; without "
                         "--enroll-out the cloud cannot enroll it");
        }
    }
out:
    fw_zeroize(&p, sizeof p);
    fw_zeroize(json, sizeof json);
    return rc;
}
