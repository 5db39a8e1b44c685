/*
 * spark-collector admin: enroll devices, set licences, read totals and the
 * support view. Sub-commands live in a table; each validates its arguments
 * with the same field checks the firmware uses (proto/provisioning.h), so a
 * refusal reads the same everywhere.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "cli.h"
#include "now.h"
#include "db.h"
#include "db_trial.h"
#include "fw/err.h"
#include "fw/file.h"
#include "fw/hex.h"
#include "fw/iso8601.h"
#include "fw/zeroize.h"
#include "partner.h"
#include "proto/json.h"
#include "proto/provisioning.h"

#define FW_LOG_TAG "admin"
#include "fw/log.h"

#define ENROLL_FILE_MAX 4096u

static int bad(const char *msg)
{
    fprintf(stderr, "spark-collector admin: %s\n", msg);
    return CLI_USAGE;
}

/* enroll --from FILE: the enrollment record sparkflash wrote. */
static int enroll_from_file(const char *path, cdb_device_t *d, char *why, size_t cap)
{
    size_t len;
    uint8_t *raw = NULL;
    int rrc = fw_file_read(path, ENROLL_FILE_MAX, &raw, &len);
    if (rrc != 0) {
        (void)snprintf(why, cap, "--from: cannot read '%s': %s", path, fw_file_error(rrc));
        return FW_E_IO;
    }
    char *text = (char *)raw;
    char reason[160];
    int rc = proto_json_decode_record(&proto_enrollment_record, text, len, d, sizeof *d, reason,
                                      sizeof reason);
    if (rc != 0) {
        (void)snprintf(why, cap, "--from '%s': %s", path, reason);
        rc = FW_E_INVAL;
    }
    fw_zeroize(text, len); /* it held the PSKs */
    free(text);
    return rc;
}

/* The fields that `enroll` without --from must be given; the others have
 * defaults (psk_identity: the serial; the rest empty, 0 or false). */
static const char *const s_enroll_required[] = {"serial", "psk", "trial", "region"};

#define ENROLL_OPT_FROM 1
#define ENROLL_OPT_FIELD 256 /* + the field's index in the enrollment table */

/* enroll --FIELD VALUE ...: one option per field of the enrollment record
 * (--serial, --psk, --psk-identity, --keep-devices, --dial-prefix, --gen,
 * ...), each read with the table's own rules. */
static int enroll_from_flags(int argc, char **argv, const char **from, cdb_device_t *d, char *why,
                             size_t cap)
{
    const proto_record_t *r = &proto_enrollment_record;
    static char names[32][32];
    static struct option opts[34];
    const char *value[32] = {NULL};
    size_t n = 0;
    for (size_t i = 0; i < r->n && i < 32; i++, n++) {
        const proto_field_t *f = &r->fields[i];
        (void)snprintf(names[i], sizeof names[i], "%s", f->name);
        for (char *c = names[i]; *c; c++) {
            *c = *c == '_' ? '-' : *c;
        }
        opts[i] =
            (struct option){names[i], f->type == PROTO_T_BOOL ? no_argument : required_argument,
                            NULL, ENROLL_OPT_FIELD + (int)i};
    }
    opts[n] = (struct option){"from", required_argument, NULL, ENROLL_OPT_FROM};
    opts[n + 1] = (struct option){NULL, 0, NULL, 0};
    bool any = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == ENROLL_OPT_FROM) {
            *from = optarg;
        } else if (c >= ENROLL_OPT_FIELD && c < ENROLL_OPT_FIELD + (int)n) {
            value[c - ENROLL_OPT_FIELD] = optarg != NULL ? optarg : "true";
            any = true;
        } else {
            return CLI_USAGE;
        }
    }
    if (*from != NULL) {
        return any ? bad("enroll: --from cannot be combined with other fields") : CLI_OK;
    }
    memset(d, 0, sizeof *d);
    for (size_t k = 0; k < sizeof s_enroll_required / sizeof s_enroll_required[0]; k++) {
        const proto_field_t *f = proto_record_field(r, s_enroll_required[k]);
        if (f == NULL || value[f - r->fields] == NULL) {
            return bad("enroll: give --from FILE, or --serial, --psk, --trial and --region");
        }
    }
    size_t identity = (size_t)(proto_record_field(r, "psk_identity") - r->fields);
    if (value[identity] == NULL) {
        value[identity] = value[proto_record_field(r, "serial") - r->fields];
    }
    for (size_t i = 0; i < n; i++) {
        if (value[i] != NULL &&
            proto_field_from_text(&r->fields[i], d, value[i], "", why, cap) != 0) {
            return CLI_FAIL;
        }
    }
    return CLI_OK;
}

static int cmd_enroll(cdb_t *db, int argc, char **argv)
{
    const char *from = NULL;
    char why[200] = "";
    static cdb_device_t d;
    int rc = enroll_from_flags(argc, argv, &from, &d, why, sizeof why);
    if (rc == CLI_OK && from != NULL) {
        rc = enroll_from_file(from, &d, why, sizeof why);
        rc = rc == 0 ? CLI_OK : rc == FW_E_IO ? CLI_USAGE : CLI_FAIL;
    }
    if (rc != CLI_OK) {
        if (why[0] != '\0') {
            fprintf(stderr, "spark-collector admin enroll: %s\n", why);
        }
        fw_zeroize(&d, sizeof d);
        return rc;
    }
    rc = cdb_enroll(db, &d, collector_now());
    fw_zeroize(d.psk, sizeof d.psk);
    fw_zeroize(d.support_psk, sizeof d.support_psk);
    if (rc == FW_E_STATE) {
        fprintf(stderr,
                "spark-collector admin enroll: psk_identity '%s' already belongs to "
                "another device\n",
                d.psk_identity);
        return CLI_FAIL;
    }
    if (rc != 0) {
        fprintf(stderr, "spark-collector admin enroll: database error (%s)\n", fw_strerror(rc));
        return CLI_FAIL;
    }
    printf("enrolled %s (trial %s, identity %s, generation %u)\n", d.serial, d.trial,
           d.psk_identity, (unsigned)d.gen);
    return CLI_OK;
}

static int cmd_licence(cdb_t *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"serial", required_argument, NULL, 's'},
        {"trial-exp", required_argument, NULL, 'e'},
        {"paid", no_argument, NULL, 'p'},
        {"extend", no_argument, NULL, 'x'},
        {"add-service", required_argument, NULL, 'a'},
        {"org", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *serial = NULL;
    cdb_licence_change_t ch;
    memset(&ch, 0, sizeof ch);
    const char *why_time = "";
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': serial = optarg; break;
        case 'e':
            if (fw_iso8601_parse(optarg, &ch.trial_exp, &why_time) != 0) {
                fprintf(stderr,
                        "spark-collector admin: licence: --trial-exp '%s': %s (ISO 8601, e.g. "
                        "2027-01-15T00:00Z)\n",
                        optarg, why_time);
                return CLI_USAGE;
            }
            ch.set_exp = true;
            break;
        case 'p': ch.paid = true; break;
        case 'x': ch.extend = true; break;
        case 'o':
            if (strlen(optarg) < 1 || strlen(optarg) > 64 || strpbrk(optarg, "\"\\") != NULL) {
                return bad("licence: --org: expected 1 to 64 printable characters");
            }
            ch.org = optarg;
            break;
        case 'a': {
            const char *colon = strchr(optarg, ':');
            if (ch.n_add >= 16) {
                return bad("licence: --add-service: at most 16 services");
            }
            size_t il = colon != NULL ? (size_t)(colon - optarg) : 0;
            bool ok = il >= 1 && il <= 32;
            for (size_t i = 0; ok && i < il; i++) {
                char ch_ = optarg[i];
                ok = (ch_ >= 'a' && ch_ <= 'z') || (ch_ >= '0' && ch_ <= '9') || ch_ == '-' ||
                     ch_ == '_';
            }
            if (!ok) {
                return bad(
                    "licence: --add-service: expected ID:ISO8601 with ID of 1-32 a-z 0-9 - _");
            }
            if (fw_iso8601_parse(colon + 1, &ch.add[ch.n_add].exp, &why_time) != 0) {
                fprintf(stderr, "spark-collector admin: licence: --add-service '%s': %s\n", optarg,
                        why_time);
                return CLI_USAGE;
            }
            memcpy(ch.add[ch.n_add].id, optarg, il);
            ch.add[ch.n_add].id[il] = '\0';
            ch.n_add++;
            break;
        }
        default: return CLI_USAGE;
        }
    }
    char why[512];
    if (serial == NULL || proto_check_serial(serial, why, sizeof why) != 0) {
        return bad("licence: --serial: required, the device serial (8-20 of A-Z 0-9)");
    }
    int rc = cdb_licence_change(db, serial, &ch, collector_now(), why, sizeof why);
    if (rc != 0) {
        fprintf(stderr, "spark-collector admin licence: %s\n",
                why[0] != '\0' ? why : fw_strerror(rc));
        return CLI_FAIL;
    }
    collector_licence_t l;
    bool has_iat;
    if (cdb_licence_get(db, serial, &l, &has_iat) == 0) {
        char e[24];
        printf("licence %s: %s seq %u%s%s ext %d, %zu service(s)\n", serial,
               l.paid ? "paid" : "trial", (unsigned)l.seq, l.paid ? "" : " expires ",
               l.paid ? "" : fw_iso8601_format(l.trial_exp, e, sizeof e), l.ext, l.n_svc);
    }
    return CLI_OK;
}

/* --serial SN | --trial DNNN, [--json], for the read-only views. With
 * --trial, the serials enrolled under the trial (malloc'd) in *serials. */
static int view_args(const char *cmd, cdb_t *db, int argc, char **argv, const char **serial,
                     const char **trial, bool *json, char (**serials)[21], size_t *n)
{
    static const struct option opts[] = {
        {"serial", required_argument, NULL, 's'},
        {"trial", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    int c;
    *serial = NULL;
    *trial = NULL;
    *json = false;
    *serials = NULL;
    *n = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': *serial = optarg; break;
        case 't': *trial = optarg; break;
        case 'j': *json = true; break;
        default: return CLI_USAGE;
        }
    }
    char why[160];
    if ((*serial == NULL) == (*trial == NULL) || optind != argc) {
        return bad("give --serial SN (a device) or --trial DNNN (every endpoint of the trial)");
    }
    if (*trial != NULL) {
        if (partner_check_trial_number(*trial, why, sizeof why) != 0) {
            fprintf(stderr, "spark-collector admin %s: '%s': %s\n", cmd, *trial, why);
            return CLI_FAIL;
        }
        if (cdb_trial_serials(db, *trial, serials, n) != 0) {
            return CLI_FAIL;
        }
        collector_trial_t t;
        if (*n == 0 && cdb_trial_get(db, *trial, &t) != 0) {
            fprintf(stderr, "spark-collector admin %s: trial %s: unknown (no such trial)\n", cmd,
                    *trial);
            return CLI_FAIL;
        }
        return CLI_OK;
    }
    if (proto_check_serial(*serial, why, sizeof why) != 0) {
        return bad("--serial: required, the device serial (8-20 of A-Z 0-9)");
    }
    static cdb_device_t d;
    int found = cdb_device_by_serial(db, *serial, &d);
    fw_zeroize(d.psk, sizeof d.psk); /* not shown */
    fw_zeroize(d.support_psk, sizeof d.support_psk);
    if (found != 0) {
        fprintf(stderr, "spark-collector admin %s: serial %s: not enrolled\n", cmd, *serial);
        return CLI_FAIL;
    }
    return CLI_OK;
}

size_t admin_totals_list(const cdb_totals_t *t, int64_t events, admin_total_t *f)
{
    /* records, then each counter of the usage table summed (and the peak of
     * fields that merge by maximum, as <name>_max), then the time span. */
    size_t n = 0;
    (void)snprintf(f[n].name, sizeof f[n].name, "records");
    f[n++].v = t->records;
    for (size_t i = 0; i < proto_usage_record.n && i < CDB_TOTALS_MAX; i++) {
        const proto_field_t *uf = &proto_usage_record.fields[i];
        if (uf->type == PROTO_T_I64) {
            continue; /* start, end: the span below */
        }
        (void)snprintf(f[n].name, sizeof f[n].name, "%s", uf->name);
        f[n++].v = t->sum[i];
        if (uf->merge == PROTO_MERGE_MAX) {
            (void)snprintf(f[n].name, sizeof f[n].name, "%s_max", uf->name);
            f[n++].v = t->max[i];
        }
    }
    const struct {
        const char *name;
        int64_t v;
    } tail[] = {{"first_start", t->first_start},
                {"last_end", t->last_end},
                {"generations", t->generations},
                {"events", events}};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) {
        (void)snprintf(f[n].name, sizeof f[n].name, "%s", tail[i].name);
        f[n++].v = tail[i].v;
    }
    return n;
}

void admin_totals_add(cdb_totals_t *sum, const cdb_totals_t *t)
{
    if (t->records == 0) {
        return;
    }
    if (sum->records == 0 || t->first_start < sum->first_start) {
        sum->first_start = t->first_start;
    }
    sum->last_end = t->last_end > sum->last_end ? t->last_end : sum->last_end;
    sum->records += t->records;
    sum->generations += t->generations;
    for (size_t i = 0; i < CDB_TOTALS_MAX; i++) {
        sum->sum[i] += t->sum[i];
        sum->max[i] = t->max[i] > sum->max[i] ? t->max[i] : sum->max[i];
    }
}

int admin_totals_of(cdb_t *db, const char *serial, cdb_totals_t *t, int64_t *events)
{
    int rc = cdb_totals(db, serial, t);
    return rc != 0 ? rc : cdb_count_events(db, serial, events);
}

static int cmd_totals(cdb_t *db, int argc, char **argv)
{
    const char *serial, *trial;
    bool json;
    char(*serials)[21];
    size_t n_serials;
    int rc = view_args("totals", db, argc, argv, &serial, &trial, &json, &serials, &n_serials);
    if (rc != CLI_OK) {
        free(serials);
        return rc;
    }
    /* One device, or the sum over the endpoints of a trial. */
    cdb_totals_t t, one;
    int64_t events = 0;
    memset(&t, 0, sizeof t);
    for (size_t i = 0; rc == 0 && i < (trial != NULL ? n_serials : 1); i++) {
        int64_t ev = 0;
        rc = admin_totals_of(db, trial != NULL ? serials[i] : serial, &one, &ev);
        if (rc == 0) {
            admin_totals_add(&t, &one);
            events += ev;
        }
    }
    free(serials);
    if (rc != 0) {
        return CLI_FAIL;
    }
    admin_total_t f[ADMIN_TOTALS_MAX];
    size_t n = admin_totals_list(&t, events, f);
    const char *key = trial != NULL ? "trial" : "serial";
    const char *id = trial != NULL ? trial : serial;
    if (json) {
        printf("{\"%s\":\"%s\"", key, id);
        if (trial != NULL) {
            printf(",\"endpoints\":%zu", n_serials);
        }
        for (size_t i = 0; i < n; i++) {
            printf(",\"%s\":%" PRId64, f[i].name, f[i].v);
        }
        printf("}\n");
    } else {
        printf("%s %s\n", key, id);
        if (trial != NULL) {
            printf("endpoints %zu\n", n_serials);
        }
        for (size_t i = 0; i < n; i++) {
            printf("%s %" PRId64 "\n", f[i].name, f[i].v);
        }
    }
    return CLI_OK;
}

/* The support view of one device; with `into` (--trial --json) its object
 * is added there instead of printed. */
static int show_one(cdb_t *db, const char *serial, bool json, cJSON *into)
{
    static cdb_device_t d;
    cdb_show_t s;
    int found = cdb_device_by_serial(db, serial, &d);
    fw_zeroize(d.psk, sizeof d.psk); /* never shown */
    fw_zeroize(d.support_psk, sizeof d.support_psk);
    if (found != 0 || cdb_show(db, serial, &s) != 0) {
        fprintf(stderr, "spark-collector admin show: serial %s: not enrolled\n", serial);
        return CLI_FAIL;
    }
    collector_licence_t l;
    bool has_iat = false;
    bool has_lic = cdb_licence_get(db, serial, &l, &has_iat) == 0;
    cdb_totals_t t;
    (void)cdb_totals(db, serial, &t);
    /* R13: someone in the room asked for new return labels (support acts). */
    int64_t labels = 0, labels_at = 0;
    (void)cdb_event_kind(db, serial, "rma_labels_requested", &labels, &labels_at);
    char b1[24], b2[24], b3[24];

    /* The enrollment: every field of the record but its keys. */
    const proto_record_t *er = &proto_enrollment_record;
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < er->n; i++) {
        if (!(er->fields[i].flags & PROTO_F_SECRET)) {
            (void)proto_json_add_field(o, &er->fields[i], &d);
        }
    }
    cJSON_AddStringToObject(o, "enrolled_at", fw_iso8601_format(s.enrolled_at, b1, 24));
    if (s.last_contact > 0) {
        cJSON_AddStringToObject(o, "last_contact", fw_iso8601_format(s.last_contact, b1, 24));
    } else {
        cJSON_AddNullToObject(o, "last_contact");
    }
    if (s.has_prov) {
        cJSON *p = cJSON_AddObjectToObject(o, "provisioning");
        for (size_t i = 0; i < proto_prov_report_record.n; i++) {
            const proto_field_t *pf = &proto_prov_report_record.fields[i];
            if (strcmp(pf->name, "serial") != 0) {
                (void)proto_json_add_field(p, pf, &s.prov);
            }
        }
        cJSON_AddStringToObject(p, "first_seen", fw_iso8601_format(s.first_seen, b2, 24));
        cJSON_AddStringToObject(p, "last_seen", fw_iso8601_format(s.last_seen, b3, 24));
        cJSON_AddNumberToObject(p, "reports", (double)s.prov_reports);
    } else {
        cJSON_AddNullToObject(o, "provisioning");
    }
    if (has_lic) {
        cJSON *li = cJSON_AddObjectToObject(o, "licence");
        cJSON_AddStringToObject(li, "type", l.paid ? "paid" : "trial");
        cJSON_AddNumberToObject(li, "seq", l.seq);
        cJSON_AddStringToObject(li, "org", l.org);
        if (!l.paid) {
            cJSON_AddStringToObject(li, "trial_exp", fw_iso8601_format(l.trial_exp, b1, 24));
        }
        cJSON_AddNumberToObject(li, "ext", l.ext);
        cJSON_AddBoolToObject(li, "keep", l.keep);
        if (l.offer[0] != '\0') {
            cJSON_AddStringToObject(li, "offer", l.offer);
        }
        if (l.site[0] != '\0') {
            cJSON_AddStringToObject(li, "site", l.site);
        }
        if (has_iat) {
            cJSON_AddStringToObject(li, "issued", fw_iso8601_format(l.iat, b2, 24));
        } else {
            cJSON_AddNullToObject(li, "issued");
        }
        cJSON *sv = cJSON_AddArrayToObject(li, "services");
        for (size_t i = 0; i < l.n_svc; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "id", l.svc[i].id);
            cJSON_AddStringToObject(e, "expiry", fw_iso8601_format(l.svc[i].exp, b3, 24));
            cJSON_AddItemToArray(sv, e);
        }
    } else {
        cJSON_AddNullToObject(o, "licence");
    }
    cJSON_AddNumberToObject(o, "usage_records", (double)t.records);
    if (labels > 0) {
        cJSON *lr = cJSON_AddObjectToObject(o, "rma_labels_requested");
        cJSON_AddNumberToObject(lr, "count", (double)labels);
        cJSON_AddStringToObject(lr, "last", fw_iso8601_format(labels_at, b1, 24));
    } else {
        cJSON_AddNullToObject(o, "rma_labels_requested");
    }
    if (into != NULL) {
        cJSON_AddItemToArray(into, o);
        return CLI_OK;
    }
    if (json) {
        char *txt = cJSON_PrintUnformatted(o);
        printf("%s\n", txt != NULL ? txt : "{}");
        cJSON_free(txt);
    } else {
        for (size_t i = 0; i < er->n; i++) {
            const proto_field_t *f = &er->fields[i];
            char label[32], value[80];
            if (!(f->flags & PROTO_F_SECRET)) {
                printf("%-13s %s\n", proto_field_label(f, label, sizeof label),
                       proto_field_text(f, &d, value, sizeof value));
            }
        }
        printf("enrolled      %s\n", fw_iso8601_format(s.enrolled_at, b1, 24));
        printf("last contact  %s\n",
               s.last_contact > 0 ? fw_iso8601_format(s.last_contact, b1, 24) : "never");
        if (s.has_prov) {
            printf("provisioning  %s hw %s mac %s fw %s locale %s state %s generation %u\n"
                   "first seen    %s\nlast seen     %s (%" PRId64 " report(s))\n",
                   s.prov.model, s.prov.hw_revision, s.prov.mac, s.prov.fw_version, s.prov.locale,
                   s.prov.licence_state, (unsigned)s.prov.gen,
                   fw_iso8601_format(s.first_seen, b2, 24), fw_iso8601_format(s.last_seen, b3, 24),
                   s.prov_reports);
        } else {
            printf("provisioning  not reported yet\n");
        }
        if (has_lic) {
            printf("licence       %s seq %u ext %d%s%s, %zu service(s)\n",
                   l.paid ? "paid" : "trial", (unsigned)l.seq, l.ext, l.paid ? "" : " expires ",
                   l.paid ? "" : fw_iso8601_format(l.trial_exp, b1, 24), l.n_svc);
        } else {
            printf("licence       none\n");
        }
        printf("usage records %" PRId64 "\n", t.records);
        if (labels > 0) {
            printf("return labels requested on the room screen %s (%" PRId64 " time(s)):"
                   " ask the partner help desk for new labels (R13)\n",
                   fw_iso8601_format(labels_at, b1, 24), labels);
        }
    }
    cJSON_Delete(o);
    return CLI_OK;
}

static int cmd_show(cdb_t *db, int argc, char **argv)
{
    const char *serial, *trial;
    bool json;
    char(*serials)[21];
    size_t n;
    int rc = view_args("show", db, argc, argv, &serial, &trial, &json, &serials, &n);
    if (rc != CLI_OK || trial == NULL) {
        free(serials);
        return rc != CLI_OK ? rc : show_one(db, serial, json, NULL);
    }
    cJSON *o = json ? cJSON_CreateObject() : NULL;
    cJSON *arr = NULL;
    if (o != NULL) {
        cJSON_AddStringToObject(o, "trial", trial);
        arr = cJSON_AddArrayToObject(o, "endpoints");
    } else {
        printf("trial %s: %zu endpoint(s)\n", trial, n);
    }
    for (size_t i = 0; rc == CLI_OK && i < n; i++) {
        if (o == NULL) {
            printf("\n");
        }
        rc = show_one(db, serials[i], json, arr);
    }
    free(serials);
    if (o != NULL && rc == CLI_OK) {
        char *txt = cJSON_PrintUnformatted(o);
        printf("%s\n", txt != NULL ? txt : "{}");
        cJSON_free(txt);
    }
    cJSON_Delete(o);
    return rc;
}

/* support-psk --serial SN --out FILE: the room's support PSK, as hex, into
 * FILE (mode 0600, replaced atomically) for `trialctl device --psk-file`.
 * Never to the terminal; an audit line (stderr and the trial's audit trail)
 * says who took which room's key, when and where to (docs/SUPPORT.md). */
static int cmd_support_psk(cdb_t *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"serial", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *serial = NULL, *out = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': serial = optarg; break;
        case 'o': out = optarg; break;
        default: return CLI_USAGE;
        }
    }
    char why[160];
    if (serial == NULL || proto_check_serial(serial, why, sizeof why) != 0) {
        return bad("support-psk: --serial: required, the device serial (8-20 of A-Z 0-9)");
    }
    if (out == NULL || out[0] == '\0' || strcmp(out, "-") == 0 || optind != argc) {
        return bad("support-psk: --out FILE: required (the key is written to a file, never "
                   "printed)");
    }
    cdb_device_t d;
    int rc = cdb_device_by_serial(db, serial, &d);
    fw_zeroize(d.psk, sizeof d.psk); /* the uplink's: not handed out */
    if (rc != 0) {
        fprintf(stderr, "spark-collector admin support-psk: serial %s: %s\n", serial,
                rc == FW_E_NOENT ? "not enrolled" : "database error");
        return CLI_FAIL;
    }
    if (d.support_psk_len == 0) {
        fprintf(stderr,
                "spark-collector admin support-psk: serial %s was enrolled without a support "
                "PSK: enroll it again from the enrollment record sparkflash wrote\n",
                serial);
        return CLI_FAIL;
    }
    /* The trial's audit trail (`admin trial`) records the hand-out before
     * the key leaves the database: a key nobody can account for is never
     * written. Who and when, where to; never the key. */
    char who[64], when[FW_ISO8601_LEN], detail[512];
    int64_t now = collector_now();
    (void)snprintf(detail, sizeof detail, "support PSK written to %.400s", out);
    if (cdb_audit_add(db, now, d.trial, d.serial, "support-psk", detail) != 0) {
        fw_zeroize(d.support_psk, sizeof d.support_psk);
        fprintf(stderr,
                "spark-collector admin support-psk: the audit trail could not be "
                "written, so the key is not handed out (nothing written to '%s')\n",
                out);
        return CLI_FAIL;
    }
    FW_LOGI("audit: support PSK of %s (trial %s) written to %s by %s at %s", d.serial, d.trial, out,
            collector_user_name(who, sizeof who), fw_iso8601_format(now, when, sizeof when));
    char hex[2 * PROTO_PSK_MAX + 2];
    (void)fw_hex_encode(d.support_psk, d.support_psk_len, hex, sizeof hex - 1);
    fw_zeroize(d.support_psk, sizeof d.support_psk);
    size_t n = strlen(hex);
    hex[n++] = '\n';
    rc = fw_file_write_atomic(out, hex, n, 0600);
    fw_zeroize(hex, sizeof hex);
    if (rc != 0) {
        fprintf(stderr, "spark-collector admin support-psk: cannot write '%s': %s\n", out,
                fw_file_error(rc));
        (void)snprintf(detail, sizeof detail, "support PSK NOT written to %.300s: %s", out,
                       fw_file_error(rc));
        (void)cdb_audit_add(db, collector_now(), d.trial, d.serial, "support-psk", detail);
        return CLI_FAIL;
    }
    printf("support PSK of %s written to %s (mode 0600): trialctl device coaps://ROOM "
           "--psk-file %s\n",
           d.serial, out, out);
    return CLI_OK;
}

static const struct {
    const char *name;
    admin_fn_t fn;
    const char *help;
} s_admin[] = {
    {"enroll", cmd_enroll,
     "--from FILE | --serial SN --psk HEX --trial DNNN --region CC [--keep-devices]\n"
     "                 [--psk-identity ID] [--model M]"},
    {"licence", cmd_licence,
     "--serial SN [--trial-exp ISO8601] [--paid] [--extend] [--add-service ID:ISO8601]...\n"
     "                 [--org NAME]"},
    {"totals", cmd_totals, "--serial SN | --trial DNNN [--json]"},
    {"show", cmd_show, "--serial SN | --trial DNNN [--json]"},
    {"trial", admin_cmd_trial, "DNNN [--json] [--at ISO8601]"},
    {"trials", admin_cmd_trials,
     "[--expiring DAYS] [--state trial|expiring|grace|lapsed|released|paid|none]\n"
     "                 [--json] [--at ISO8601]"},
    {"new-trial", admin_cmd_new_trial,
     "--trial DNNN --org NAME --region CC --trial-exp ISO8601\n"
     "                 [--service ID[:ISO8601]]... [--webex-site URL]"},
    {"extend", admin_cmd_extend, "--trial DNNN"},
    {"add-service", admin_cmd_add_service, "--trial DNNN --service ID --until ISO8601"},
    {"convert", admin_cmd_convert,
     "--trial DNNN --offer A-SPK|A-WX --plan M1|M2|M3|C1|C2|C3\n"
     "                 [--webex-site URL] [--add-on NAME]..."},
    {"keep", admin_cmd_keep, "--trial DNNN"},
    {"support-psk", cmd_support_psk, "--serial SN --out FILE   (the room's support PSK, audited)"},
};

static void usage_admin(FILE *f)
{
    fprintf(f, "usage: spark-collector admin --db FILE " COLLECTOR_NOW_USAGE " COMMAND [ARGS]\n"
               "  --clock-*  \"now\" on the simulated clock of a demo or test (as serve and\n"
               "             the host board take it); default: real time\n");
    for (size_t i = 0; i < sizeof s_admin / sizeof s_admin[0]; i++) {
        fprintf(f, "  %-11s %s\n", s_admin[i].name, s_admin[i].help);
    }
}

int collector_cmd_admin(int argc, char **argv)
{
    /* admin --db FILE [--clock-* V] CMD ...: parsed by hand so CMD's options
     * stay its own. */
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        usage_admin(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *dbpath = NULL;
    int i = 1;
    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        char name[16];
        const char *eq = strchr(argv[i], '=');
        size_t n = eq != NULL ? (size_t)(eq - argv[i] - 2) : strlen(argv[i] + 2);
        const char *value = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
        if (n >= sizeof name || value == NULL) {
            break;
        }
        memcpy(name, argv[i] + 2, n);
        name[n] = '\0';
        if (strcmp(name, "db") == 0) {
            dbpath = value;
        } else if (!collector_now_is_option(name)) {
            break;
        } else if (collector_now_option("admin", name, value) != CLI_OK) {
            return CLI_USAGE;
        }
        i += eq != NULL ? 1 : 2;
    }
    if (dbpath == NULL || i >= argc) {
        usage_admin(stderr);
        return CLI_USAGE;
    }
    collector_now_start();
    for (size_t k = 0; k < sizeof s_admin / sizeof s_admin[0]; k++) {
        if (strcmp(argv[i], s_admin[k].name) == 0) {
            cdb_t db;
            if (cdb_open(&db, dbpath) != 0) {
                fprintf(stderr, "spark-collector admin: cannot open database '%s'\n", dbpath);
                return CLI_FAIL;
            }
            char who[65];
            db.who = collector_user_name(who, sizeof who); /* the audit trail's "who" */
            optind = 1;
            int rc = s_admin[k].fn(&db, argc - i, argv + i);
            cdb_close(&db);
            if (rc == CLI_USAGE) {
                fprintf(stderr, "usage: spark-collector admin --db FILE %s %s\n", s_admin[k].name,
                        s_admin[k].help);
            }
            return rc;
        }
    }
    fprintf(stderr, "spark-collector admin: unknown command '%s'\n", argv[i]);
    usage_admin(stderr);
    return CLI_USAGE;
}
