/*
 * sparkflash show, verify, factory-reset.
 *
 * show and verify work on a private copy of TARGET and its secure element
 * (see sf_snapshot_make):
 * they never write to the device, even though mounting a store may finish an
 * operation a power cut interrupted.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "flash_cli.h"
#include "fw/err.h"
#include "fw/iso8601.h"
#include "fw/zeroize.h"
#include "hal/flash.h"
#include "hal/identity.h"
#include "proto/layout.h"
#include "proto/json.h"
#include "proto/provisioning.h"
#include "proto/psk_seal.h"
#include "proto/slots.h"
#include "trial/history.h"

/* ------------------------------------------------------------- records */

typedef struct {
    store_key_t key;
    uint32_t len;
    int rc;            /* store_get result */
    const char *state; /* "ok", "rollback", "invalid", ... */
    char why[200];
} record_t;

typedef struct {
    record_t rec[STORE_MAX_KEYS];
    size_t n;
} records_t;

static const char *key_name(store_key_t k)
{
    switch (k) {
    case STORE_KEY_PROVISIONING: return "provisioning";
    case STORE_KEY_LICENCE: return "licence";
    case STORE_KEY_TRIAL_HISTORY: return "trial-history";
    case STORE_KEY_TRUSTED_TIME: return "trusted-time";
    case STORE_KEY_USAGE: return "usage";
    case STORE_KEY_BOOT: return "boot";
    case STORE_KEY_GENERATION: return "generation";
    case STORE_KEY_PROV_SENT: return "prov-sent";
    case STORE_KEY_CLOCK_AHEAD: return "clock-ahead";
    default:
        if (k >= STORE_KEY_REFUSED_FIRST && k <= STORE_KEY_REFUSED_LAST) {
            return "report-refused";
        }
        return k >= STORE_KEY_QUEUE_FIRST && k <= STORE_KEY_QUEUE_LAST ? "report-queue" : "unknown";
    }
}

static int collect(void *ctx, store_key_t key, size_t len)
{
    records_t *r = ctx;
    if (r->n < STORE_MAX_KEYS) {
        r->rec[r->n].key = key;
        r->rec[r->n].len = (uint32_t)len;
        r->n++;
    }
    return 0;
}

/* Everything show and verify report about one mounted store. */
typedef struct {
    char board[PATH_MAX + 96]; /* sf_target_describe() of TARGET */
    hal_identity_t id;
    store_health_t health;
    records_t records;
    int prov_rc; /* 0, FW_E_NOENT, FW_E_FORMAT or a store error */
    char prov_why[200];
    proto_provisioning_t prov; /* shown by fingerprint() for its secrets, never in clear */
    int boot_rc;               /* 0, FW_E_NOENT, or the failure */
    char boot_why[160];
    slots_boot_t boot;
} report_t;

static void check_records(store_t *s, report_t *r, mbedtls_pk_context *pub)
{
    static uint8_t buf[STORE_VALUE_MAX];
    r->prov_rc = FW_E_NOENT;
    r->boot_rc = FW_E_NOENT;
    for (size_t i = 0; i < r->records.n; i++) {
        record_t *rec = &r->records.rec[i];
        size_t len = 0;
        rec->rc = store_get(s, rec->key, buf, sizeof buf, &len);
        rec->state = rec->rc == 0 ? "ok" : rec->rc == FW_E_ROLLBACK ? "rollback" : "unreadable";
        if (rec->rc != 0) {
            (void)snprintf(rec->why, sizeof rec->why, "%s", fw_strerror(rec->rc));
        }
        if (rec->key == STORE_KEY_PROVISIONING) {
            r->prov_rc = rec->rc;
            if (rec->rc == 0 && proto_provisioning_open((const char *)buf, len, &r->prov, NULL,
                                                        r->prov_why, sizeof r->prov_why) != 0) {
                r->prov_rc = FW_E_FORMAT;
                rec->state = "invalid";
                (void)snprintf(rec->why, sizeof rec->why, "%s", r->prov_why);
            } else if (rec->rc != 0) {
                (void)snprintf(r->prov_why, sizeof r->prov_why, "%s", fw_strerror(rec->rc));
            }
        } else if (rec->key == STORE_KEY_TRIAL_HISTORY && rec->rc == 0) {
            trial_history_t h;
            int drc = trial_history_decode(&h, buf, len);
            if (drc != 0) {
                rec->state = "invalid";
                (void)snprintf(rec->why, sizeof rec->why, "does not decode: %s", fw_strerror(drc));
            }
        } else if (rec->key == STORE_KEY_BOOT) {
            if (rec->rc == 0 && slots_boot_decode(buf, len, &r->boot) != 0) {
                rec->state = "invalid";
                (void)snprintf(rec->why, sizeof rec->why, "not a boot record");
                r->boot_rc = FW_E_FORMAT;
            } else if (rec->rc == 0) {
                hal_flash_geometry_t geo;
                slots_slot_t slots[SLOTS_COUNT];
                r->boot_rc = hal_flash_geometry(&geo);
                if (r->boot_rc == 0 && slots_layout(&geo, slots) != 0) {
                    r->boot_rc = FW_E_NOSPACE;
                    (void)snprintf(r->boot_why, sizeof r->boot_why, "flash has no slots");
                } else if (r->boot_rc == 0) {
                    r->boot_rc = slots_check(slots, &r->boot, pub, r->boot_why, sizeof r->boot_why);
                }
            } else {
                r->boot_rc = rec->rc;
            }
        }
    }
    fw_zeroize(buf, sizeof buf);
}

/* Open the snapshot, mount, collect. Returns an exit code. */
static int inspect(const char *cmd, const sf_target_t *orig, const sf_snapshot_t *snap, report_t *r,
                   mbedtls_pk_context *pub)
{
    memset(r, 0, sizeof *r);
    sf_target_describe(orig, r->board, sizeof r->board);
    sf_board_args_t args = {.target = &snap->target};
    int rc = sf_board_open(cmd, &args);
    if (rc != 0) {
        return rc;
    }
    static store_t s;
    (void)hal_identity_get(&r->id);
    int mrc = sf_store_mount(&s);
    if (mrc != 0) {
        sf_board_close();
        return sf_fail(cmd, "cannot mount the store: %s", fw_strerror(mrc));
    }
    store_health(&s, &r->health);
    (void)store_foreach(&s, 0x0001, 0xFFFE, collect, &r->records);
    check_records(&s, r, pub);
    sf_board_close();
    return SF_EXIT_OK;
}

static const char *firmware_state(const report_t *r)
{
    return r->boot_rc == 0 ? "ok" : r->boot_rc == FW_E_NOENT ? "none" : "damaged";
}

/* The fingerprint of a secret or long field of the provisioning record:
 * sha256 of its bytes, the first 8 in hex (never the secret itself). */
static const char *fingerprint(const report_t *r, const proto_field_t *f, char fp[17])
{
    const uint8_t *p = (const uint8_t *)&r->prov + f->offset;
    size_t n = strnlen((const char *)p, f->size);
    if (f->type == PROTO_T_HEX) {
        memcpy(&n, (const char *)&r->prov + f->len_offset, sizeof n);
    }
    sf_fingerprint(p, n, fp);
    return fp;
}

/* A field of the provisioning record as show prints it: keys and long
 * fields by their fingerprint ("sha256:0011aabb... (32 bytes)"). */
static const char *shown(const report_t *r, const proto_field_t *f, char *buf, size_t cap)
{
    if (!(f->flags & (PROTO_F_SECRET | PROTO_F_DIGEST))) {
        return proto_field_text(f, &r->prov, buf, cap);
    }
    char fp[17], bytes[32] = "";
    if (f->type == PROTO_T_HEX) {
        (void)snprintf(bytes, sizeof bytes, " (%s)", proto_field_text(f, &r->prov, buf, cap));
    }
    (void)snprintf(buf, cap, "sha256:%s%s", fingerprint(r, f, fp), bytes);
    return buf;
}

static void print_text(const char *image, const report_t *r)
{
    const store_health_t *h = &r->health;
    printf("image %s\n", image);
    printf("target: %s\n", r->board);
    printf("device: serial %s, model %s, hw revision %u\n", r->id.serial, r->id.model,
           (unsigned)r->id.hw_revision);
    if (r->prov_rc == 0) {
        printf("provisioning: ok\n");
        for (size_t i = 0; i < proto_provisioning_record.n; i++) {
            const proto_field_t *f = &proto_provisioning_record.fields[i];
            char label[32], value[96];
            if (f->type != PROTO_T_CONST) {
                printf("  %-15s %s\n", proto_field_label(f, label, sizeof label),
                       shown(r, f, value, sizeof value));
            }
        }
    } else if (r->prov_rc == FW_E_NOENT) {
        printf("provisioning: absent (not provisioned)\n");
    } else {
        printf("provisioning: %s\n", r->prov_why);
    }
    printf("store: %u valid records, %u damaged records, %u damaged sectors, rollback %s\n",
           h->records_valid, h->records_damaged, h->sectors_damaged, h->rollback ? "YES" : "no");
    printf("  counter flash %u / hardware %u, %u live keys, %u bytes used, %u free\n",
           h->counter_flash, h->counter_hw, h->live_keys, h->live_bytes, h->free_bytes);
    printf("records:\n");
    for (size_t i = 0; i < r->records.n; i++) {
        const record_t *rec = &r->records.rec[i];
        printf("  0x%04x %-14s %5u bytes  %s%s%s\n", rec->key, key_name(rec->key), rec->len,
               rec->state, rec->why[0] ? ": " : "", rec->why);
    }
    if (r->boot_rc == FW_E_NOENT) {
        printf("firmware: none flashed\n");
    } else {
        char v[20];
        fwimg_version_format(&r->boot.version, v, sizeof v);
        printf("firmware: slot %u, version %s, %u bytes: %s%s%s\n", r->boot.slot, v, r->boot.size,
               firmware_state(r), r->boot_rc ? ": " : "", r->boot_rc ? r->boot_why : "");
    }
}

static void print_json(const char *image, const report_t *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "image", image);
    cJSON_AddStringToObject(o, "target", r->board);
    cJSON *dev = cJSON_AddObjectToObject(o, "device");
    cJSON_AddStringToObject(dev, "serial", r->id.serial);
    cJSON_AddStringToObject(dev, "model", r->id.model);
    cJSON_AddNumberToObject(dev, "hw_revision", r->id.hw_revision);
    cJSON *prov = cJSON_AddObjectToObject(o, "provisioning");
    if (r->prov_rc == 0) {
        cJSON_AddStringToObject(prov, "status", "ok");
        for (size_t i = 0; i < proto_provisioning_record.n; i++) {
            const proto_field_t *f = &proto_provisioning_record.fields[i];
            char name[48], fp[17];
            if (f->flags & (PROTO_F_SECRET | PROTO_F_DIGEST)) {
                (void)snprintf(name, sizeof name, "%s_fingerprint", f->name);
                cJSON_AddStringToObject(prov, name, fingerprint(r, f, fp));
            } else if (f->type != PROTO_T_CONST) {
                (void)proto_json_add_field(prov, f, &r->prov);
            }
        }
    } else {
        cJSON_AddStringToObject(prov, "status", r->prov_rc == FW_E_NOENT ? "absent" : "invalid");
        if (r->prov_rc != FW_E_NOENT) {
            cJSON_AddStringToObject(prov, "why", r->prov_why);
        }
    }
    const store_health_t *h = &r->health;
    cJSON *st = cJSON_AddObjectToObject(o, "store");
    cJSON_AddNumberToObject(st, "records_valid", h->records_valid);
    cJSON_AddNumberToObject(st, "records_damaged", h->records_damaged);
    cJSON_AddNumberToObject(st, "sectors_damaged", h->sectors_damaged);
    cJSON_AddBoolToObject(st, "rollback", h->rollback);
    cJSON_AddNumberToObject(st, "counter_flash", h->counter_flash);
    cJSON_AddNumberToObject(st, "counter_hw", h->counter_hw);
    cJSON_AddNumberToObject(st, "live_keys", h->live_keys);
    cJSON_AddNumberToObject(st, "live_bytes", h->live_bytes);
    cJSON_AddNumberToObject(st, "free_bytes", h->free_bytes);
    cJSON *recs = cJSON_AddArrayToObject(o, "records");
    for (size_t i = 0; i < r->records.n; i++) {
        const record_t *rec = &r->records.rec[i];
        cJSON *e = cJSON_CreateObject();
        char k[8];
        (void)snprintf(k, sizeof k, "0x%04x", rec->key);
        cJSON_AddStringToObject(e, "key", k);
        cJSON_AddStringToObject(e, "name", key_name(rec->key));
        cJSON_AddNumberToObject(e, "bytes", rec->len);
        cJSON_AddStringToObject(e, "status", rec->state);
        if (rec->why[0]) {
            cJSON_AddStringToObject(e, "why", rec->why);
        }
        cJSON_AddItemToArray(recs, e);
    }
    cJSON *fw = cJSON_AddObjectToObject(o, "firmware");
    cJSON_AddStringToObject(fw, "status", firmware_state(r));
    if (r->boot_rc != FW_E_NOENT) {
        char v[20];
        fwimg_version_format(&r->boot.version, v, sizeof v);
        cJSON_AddNumberToObject(fw, "slot", r->boot.slot);
        cJSON_AddStringToObject(fw, "version", v);
        cJSON_AddNumberToObject(fw, "size", r->boot.size);
        if (r->boot_rc != 0) {
            cJSON_AddStringToObject(fw, "why", r->boot_why);
        }
    }
    char *text = cJSON_Print(o);
    if (text) {
        puts(text);
        cJSON_free(text);
    }
    cJSON_Delete(o);
}

/* ----------------------------------------------------------------- show */

static int parse_image_args(const char *cmd, int argc, char **argv, const char **image, bool *flag,
                            const char *flag_name, const char **pubkey, void (*usage)(FILE *),
                            sf_target_opts_t *topts)
{
    enum { O_IMAGE = 256, O_FLAG, O_PUBKEY, O_HELP };
    memset(topts, 0, sizeof *topts);
    const struct option opts[] = {
        SF_TARGET_LONGOPTS,
        {"image", required_argument, NULL, O_IMAGE},
        {flag_name ? flag_name : "-", no_argument, NULL, O_FLAG},
        {pubkey ? "pubkey" : "-", required_argument, NULL, O_PUBKEY},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    *image = NULL;
    sf_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (sf_is_target_option(c)) {
            int rc = sf_target_option(cmd, c, optarg, topts);
            if (rc != SF_EXIT_OK) {
                return rc;
            }
        } else if (c == O_IMAGE) {
            if (*image) {
                return sf_usage_error(cmd, "--image given twice");
            }
            *image = optarg;
        } else if (c == O_FLAG) {
            *flag = true;
        } else if (c == O_PUBKEY) {
            *pubkey = optarg;
        } else if (c == O_HELP) {
            usage(stdout);
            return -1;
        } else {
            return sf_getopt_error(cmd, c, argv);
        }
    }
    if (optind < argc) {
        return sf_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    }
    if (!*image) {
        return sf_usage_error(cmd, "missing --image");
    }
    return SF_EXIT_OK;
}

static void show_usage(FILE *out)
{
    fputs("usage: sparkflash show --image TARGET [--json] [--board host|room] [--config FILE]\n"
          "         [--secure-dir DIR]\n"
          "\n"
          "What is provisioned on TARGET and the health of every record in its store,\n"
          "and which firmware is active. Secrets are never printed: PSKs and keys appear\n"
          "as sha256:<first 8 bytes of their SHA-256, in hex>. Reads a private copy of\n"
          "TARGET, so it works on read-only images and never changes TARGET.\n"
          "\n"
          "  --image TARGET  host-board flash image (TARGET.secure beside it), or a room\n"
          "                  board's flash (MTD or block device; see --board)\n"
          "  --json          one JSON object on stdout instead of text\n",
          out);
    sf_target_usage(out, 18);
    fputs("  --help          this text\n"
          "\n"
          "Exit codes: 0 shown, 1 TARGET missing or unreadable, 2 usage.\n",
          out);
}

int sf_cmd_show(int argc, char **argv)
{
    const char *image, *unused = NULL;
    bool json = false;
    sf_target_opts_t topts;
    int rc = parse_image_args("show", argc, argv, &image, &json, "json", NULL, show_usage, &topts);
    (void)unused;
    if (rc != SF_EXIT_OK) {
        return rc < 0 ? SF_EXIT_OK : rc;
    }
    static sf_target_t t;
    sf_target_info_t info;
    if ((rc = sf_target_resolve("show", image, &topts, &t)) != 0 ||
        (rc = sf_target_check("show", &t, SF_TARGET_READ, 0, &info)) != 0) {
        return rc;
    }
    static sf_snapshot_t snap;
    if ((rc = sf_snapshot_make("show", &t, &snap)) != 0) {
        return rc;
    }
    static report_t r;
    rc = inspect("show", &t, &snap, &r, NULL);
    sf_snapshot_remove(&snap);
    if (rc == 0) {
        if (json) {
            print_json(image, &r);
        } else {
            print_text(image, &r);
        }
    }
    fw_zeroize(&r, sizeof r);
    return rc;
}

/* --------------------------------------------------------------- verify */

static void verify_usage(FILE *out)
{
    fputs("usage: sparkflash verify --image TARGET [--pubkey PEM] [--board host|room] [--config "
          "FILE]\n"
          "         [--secure-dir DIR]\n"
          "\n"
          "Checks the integrity of every record on TARGET: the store's CRC and HMAC of\n"
          "each record, rollback binding, that the provisioning, trial-history and boot\n"
          "records decode, and that the active firmware slot matches its SHA-256 (and\n"
          "its signature, with --pubkey). Each problem is printed with the record or\n"
          "store sector it is in. Reads a private copy: TARGET is never changed.\n"
          "\n"
          "  --image TARGET  host-board flash image (TARGET.secure beside it), or a room\n"
          "                  board's flash (MTD or block device; see --board)\n"
          "  --pubkey PEM    also verify the active firmware's signature with this "
          "key\n",
          out);
    sf_target_usage(out, 18);
    fputs("  --help          this text\n"
          "\n"
          "Exit codes: 0 all intact, 1 damage found (or TARGET unusable), 2 usage.\n",
          out);
}

/* The store does not say where a rejected record was. Find the sectors that
 * hold damage by blanking one store sector at a time in the private copy and
 * seeing whether the damage count drops. The copy's store region and secure
 * file are restored before each try, since a mount may write. */
static void locate_damage(const sf_snapshot_t *snap, const store_health_t *base)
{
    FILE *img = fopen(snap->target.path, "r+b");
    uint8_t *region = malloc(LAYOUT_STORE_BYTES);
    if (!img || !region || fread(region, 1, LAYOUT_STORE_BYTES, img) != LAYOUT_STORE_BYTES) {
        goto out;
    }
    const uint32_t ss = snap->sector_size;
    for (uint32_t i = 0; i < LAYOUT_STORE_SECTORS(ss); i++) {
        uint8_t *trial = malloc(LAYOUT_STORE_BYTES);
        if (!trial) {
            break;
        }
        memcpy(trial, region, LAYOUT_STORE_BYTES);
        memset(trial + (size_t)i * ss, 0xFF, ss);
        bool ok = fseek(img, 0, SEEK_SET) == 0 &&
                  fwrite(trial, 1, LAYOUT_STORE_BYTES, img) == LAYOUT_STORE_BYTES &&
                  fflush(img) == 0 && sf_snapshot_restore_secure(snap) == 0;
        free(trial);
        sf_board_args_t args = {.target = &snap->target, .quiet = true};
        static store_t s;
        store_health_t h;
        if (!ok || sf_board_open("verify", &args) != 0) {
            break;
        }
        int mrc = sf_store_mount(&s);
        store_health(&s, &h);
        sf_board_close();
        if (mrc == 0 && (h.records_damaged < base->records_damaged ||
                         h.sectors_damaged < base->sectors_damaged)) {
            printf("  damage located in store sector %u (flash offset 0x%06x..0x%06x): %u "
                   "record(s), %u sector header(s)\n",
                   i, i * ss, (i + 1) * ss - 1, base->records_damaged - h.records_damaged,
                   base->sectors_damaged - h.sectors_damaged);
        }
    }
out:
    free(region);
    if (img) {
        fclose(img);
    }
}

int sf_cmd_verify(int argc, char **argv)
{
    const char *image, *pubkey = NULL;
    bool unused = false;
    sf_target_opts_t topts;
    int rc = parse_image_args("verify", argc, argv, &image, &unused, NULL, &pubkey, verify_usage,
                              &topts);
    if (rc != SF_EXIT_OK) {
        return rc < 0 ? SF_EXIT_OK : rc;
    }
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    char why[512];
    if (pubkey && sf_load_p256_public("pubkey", pubkey, &pk, why, sizeof why) != 0) {
        mbedtls_pk_free(&pk);
        return sf_refuse("verify", "%s", why);
    }
    static sf_target_t t;
    sf_target_info_t info;
    if ((rc = sf_target_resolve("verify", image, &topts, &t)) != 0 ||
        (rc = sf_target_check("verify", &t, SF_TARGET_READ, 0, &info)) != 0) {
        mbedtls_pk_free(&pk);
        return rc;
    }
    static sf_snapshot_t snap;
    if ((rc = sf_snapshot_make("verify", &t, &snap)) != 0) {
        mbedtls_pk_free(&pk);
        return rc;
    }
    static report_t r;
    rc = inspect("verify", &t, &snap, &r, pubkey ? &pk : NULL);
    unsigned problems = 0;
    if (rc == 0) {
        const store_health_t *h = &r.health;
        if (h->records_damaged || h->sectors_damaged) {
            problems++;
            printf("DAMAGED store: %u record(s) rejected (bad CRC or HMAC, or torn), %u sector "
                   "header(s) unreadable\n",
                   h->records_damaged, h->sectors_damaged);
            locate_damage(&snap, h);
            if (r.prov_rc == FW_E_NOENT) {
                printf("  no provisioning record (0x%04x) reads back: the damaged record may be "
                       "it; re-provision after factory-reset --yes\n",
                       STORE_KEY_PROVISIONING);
            }
        }
        if (h->rollback) {
            problems++;
            printf("DAMAGED store: rollback: the flash is older than the monotonic counter "
                   "(flash %u, hardware %u): an old image was written back\n",
                   h->counter_flash, h->counter_hw);
        }
        for (size_t i = 0; i < r.records.n; i++) {
            const record_t *rec = &r.records.rec[i];
            if (strcmp(rec->state, "ok") != 0) {
                problems++;
                printf("DAMAGED record 0x%04x (%s): %s%s%s\n", rec->key, key_name(rec->key),
                       rec->state, rec->why[0] ? ": " : "", rec->why);
            }
        }
        if (r.boot_rc != 0 && r.boot_rc != FW_E_NOENT) {
            problems++;
            printf("DAMAGED firmware slot %u (boot record 0x%04x): %s\n", r.boot.slot,
                   STORE_KEY_BOOT, r.boot_why);
        }
        if (problems == 0) {
            printf("%s: intact: %zu records ok%s, firmware %s\n", image, r.records.n,
                   r.prov_rc == FW_E_NOENT ? " (not provisioned)" : "", firmware_state(&r));
        } else {
            rc = SF_EXIT_REFUSED;
            fprintf(stderr, "sparkflash verify: %s: %u problem(s) found\n", image, problems);
        }
    }
    sf_snapshot_remove(&snap);
    mbedtls_pk_free(&pk);
    fw_zeroize(&r, sizeof r);
    return rc;
}

/* -------------------------------------------------------- factory-reset */

static void reset_usage(FILE *out)
{
    fputs(
        "usage: sparkflash factory-reset --image TARGET --yes [--board host|room] [--config FILE]\n"
        "         [--secure-dir DIR]\n"
        "\n"
        "Erases the whole store of TARGET: provisioning, licence, trial history, usage\n"
        "and queued reports. This is the only way a device whose trial lapsed starts\n"
        "over (R9); it must then be provisioned again. Kept: the active firmware and the\n"
        "trusted-time mark (time never runs backwards). A fresh, empty trial history is\n"
        "written bound to the monotonic counter, so an old image written back is still\n"
        "detected as a rollback.\n"
        "\n"
        "  --image TARGET  host-board flash image (TARGET.secure beside it), or a room\n"
        "                  board's flash (MTD or block device; see --board)\n"
        "  --yes           required: confirms that the device's trial history goes\n",
        out);
    sf_target_usage(out, 18);
    fputs("  --help          this text\n"
          "\n"
          "Exit codes: 0 reset, 1 refused (no --yes, bad TARGET) or failed, 2 usage.\n",
          out);
}

/* Copy of a record to carry across the format, if it reads cleanly. */
typedef struct {
    bool have;
    uint8_t buf[256];
    size_t len;
} keep_t;

static void keep_record(store_t *s, store_key_t key, keep_t *k)
{
    k->have = store_get(s, key, k->buf, sizeof k->buf, &k->len) == 0;
}

int sf_cmd_factory_reset(int argc, char **argv)
{
    const char *image;
    bool yes = false;
    sf_target_opts_t topts;
    int rc = parse_image_args("factory-reset", argc, argv, &image, &yes, "yes", NULL, reset_usage,
                              &topts);
    if (rc != SF_EXIT_OK) {
        return rc < 0 ? SF_EXIT_OK : rc;
    }
    if (!yes) {
        return sf_refuse("factory-reset",
                         "--yes is required: a factory reset wipes the provisioning, the licence "
                         "and the whole trial history of %s, and cannot be undone. It is the "
                         "only way a device whose trial lapsed starts over (R9); afterwards it "
                         "must be provisioned again. Nothing was changed.",
                         image);
    }
    static sf_target_t t;
    sf_target_info_t info;
    if ((rc = sf_target_resolve("factory-reset", image, &topts, &t)) != 0 ||
        (rc = sf_target_check("factory-reset", &t, SF_TARGET_WRITE, 0, &info)) != 0) {
        return rc;
    }
    sf_board_args_t args = {.target = &t};
    if ((rc = sf_board_open("factory-reset", &args)) != 0) {
        return rc;
    }
    hal_flash_geometry_t geo;
    store_config_t cfg = {0};
    static store_t s;
    static keep_t boot, hwm;
    rc = hal_flash_geometry(&geo);
    if (rc == 0) {
        cfg.first_sector = LAYOUT_STORE_FIRST_SECTOR;
        cfg.sector_count = LAYOUT_STORE_SECTORS(geo.sector_size);
        /* A store too damaged to mount is still reset: that is what resets are for. */
        if (sf_store_mount(&s) == 0) {
            /* The firmware must stay bootable, and time must not run backwards
             * across a reset (TRIAL_RULES.md), so these two survive the format. */
            keep_record(&s, STORE_KEY_BOOT, &boot);
            keep_record(&s, STORE_KEY_TRUSTED_TIME, &hwm);
        }
        /* A blank store under a counter that has moved on is what a format
         * leaves: the fresh trial history below binds it again. Not a
         * rollback worth a warning. */
        sf_board_quiet(true);
        rc = store_format(&s, &cfg);
        if (rc == 0) {
            rc = store_mount(&s, &cfg);
        }
        sf_board_quiet(false);
    }
    uint8_t hist[TRIAL_HISTORY_ENCODED_LEN];
    if (rc == 0) {
        trial_history_t h;
        trial_history_init(&h);
        int n = trial_history_encode(&h, hist, sizeof hist);
        rc = n < 0 ? n : store_put(&s, STORE_KEY_TRIAL_HISTORY, hist, (size_t)n, STORE_F_MONOTONIC);
    }
    if (rc == 0 && hwm.have) {
        rc = store_put(&s, STORE_KEY_TRUSTED_TIME, hwm.buf, hwm.len, STORE_F_MONOTONIC);
    }
    if (rc == 0 && boot.have) {
        rc = store_put(&s, STORE_KEY_BOOT, boot.buf, boot.len, 0);
    }
    sf_board_close();
    if (rc != 0) {
        return sf_fail("factory-reset", "%s: %s (run factory-reset again)", image, fw_strerror(rc));
    }
    printf(
        "factory reset %s: store erased, fresh trial history bound to the monotonic counter%s%s; "
        "provision it again\n",
        image, hwm.have ? ", trusted-time mark kept" : "",
        boot.have ? ", active firmware kept" : "");
    return SF_EXIT_OK;
}
