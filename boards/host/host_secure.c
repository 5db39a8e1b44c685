/*
 * The secure element and the burnt-in identity, kept in FILE.secure beside
 * the flash image (JSON, see docs/HOST_BOARD.md).
 *
 * It lives outside the image on purpose: copying an old image back (the
 * rollback the store must detect) does not bring an old counter with it.
 * Every counter increment rewrites the whole file under a temporary name,
 * fsyncs it, renames it over the old one and fsyncs the directory, so a
 * crash leaves either the old or the new counter, never a torn file.
 *
 * The device key is held in memory only while the board is up, wiped on
 * unload, and never logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "crypto/derive.h"
#include "fw/err.h"
#include "fw/file.h"
#include "fw/hex.h"
#include "fw/zeroize.h"
#include "hal/identity.h"
#include "hal/secure.h"
#include "host_config.h"
#include "host_internal.h"

#define SECURE_FORMAT_VERSION 1
#define SECURE_MAX_BYTES 4096

typedef struct {
    uint8_t key[HAL_SECURE_KEY_LEN];
    uint32_t counter;
    hal_identity_t id;
} secure_state_t;

static bool s_loaded;
static char *s_path;
static secure_state_t s_state;

static int random_bytes(void *buf, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0) {
        return FW_E_IO;
    }
    uint8_t *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            close(fd);
            return FW_E_IO;
        }
        got += (size_t)n;
    }
    close(fd);
    return 0;
}

/* Exactly `len` bytes of hex, no more, no less. */
static bool hex_exact(const char *in, uint8_t *out, size_t len)
{
    size_t n = 0;
    return strlen(in) == 2 * len && fw_hex_decode(in, out, len, &n) == 0 && n == len;
}

/* Replace `path` with `st`, crash-atomically (see the banner). */
static int secure_write(const char *path, const secure_state_t *st)
{
    char keyhex[2 * HAL_SECURE_KEY_LEN + 1];
    char machex[18];
    (void)fw_hex_encode(st->key, sizeof st->key, keyhex, sizeof keyhex);
    snprintf(machex, sizeof machex, "%02x:%02x:%02x:%02x:%02x:%02x", st->id.mac[0], st->id.mac[1],
             st->id.mac[2], st->id.mac[3], st->id.mac[4], st->id.mac[5]);

    int rc = FW_E_NOMEM;
    char *text = NULL;
    cJSON *root = cJSON_CreateObject();
    cJSON *key_item = NULL;
    if (root && cJSON_AddNumberToObject(root, "version", SECURE_FORMAT_VERSION) &&
        (key_item = cJSON_AddStringToObject(root, "device_key", keyhex)) != NULL &&
        cJSON_AddNumberToObject(root, "counter", (double)st->counter) &&
        cJSON_AddStringToObject(root, "serial", st->id.serial) &&
        cJSON_AddStringToObject(root, "model", st->id.model) &&
        cJSON_AddStringToObject(root, "mac", machex) &&
        cJSON_AddNumberToObject(root, "hw_revision", st->id.hw_revision)) {
        text = cJSON_Print(root);
    }
    fw_zeroize(keyhex, sizeof keyhex);
    if (key_item && key_item->valuestring) {
        fw_zeroize(key_item->valuestring, strlen(key_item->valuestring));
    }
    cJSON_Delete(root);
    if (!text) {
        return rc;
    }

    /* The text and its line end, written crash-atomically, mode 0600. */
    size_t n = strlen(text);
    char *line = malloc(n + 1);
    if (!line) {
        rc = FW_E_NOMEM;
    } else {
        memcpy(line, text, n);
        line[n] = '\n';
        rc = fw_file_write_atomic(path, line, n + 1, 0600);
        if (rc != 0) {
            host_fail(rc, "cannot write secure element file %s: %s", path, fw_file_error(rc));
        }
        fw_zeroize(line, n + 1);
        free(line);
    }
    fw_zeroize(text, strlen(text));
    cJSON_free(text);
    return rc;
}

int host_secure_create(const char *path, const char *serial, const char *model)
{
    secure_state_t st;
    memset(&st, 0, sizeof st);
    uint8_t rnd[4 + 6];
    if (random_bytes(st.key, sizeof st.key) != 0 || random_bytes(rnd, sizeof rnd) != 0) {
        return host_fail(FW_E_IO, "cannot read /dev/urandom for a new device key");
    }
    if (serial) {
        snprintf(st.id.serial, sizeof st.id.serial, "%s", serial);
    } else {
        snprintf(st.id.serial, sizeof st.id.serial, "SIM%02X%02X%02X%02X", rnd[0], rnd[1], rnd[2],
                 rnd[3]);
    }
    snprintf(st.id.model, sizeof st.id.model, "%s", model ? model : HOST_DEFAULT_MODEL);
    memcpy(st.id.mac, rnd + 4, 6);
    st.id.mac[0] = (uint8_t)((st.id.mac[0] & 0xFC) | 0x02); /* unicast, locally administered */
    st.id.hw_revision = HOST_DEFAULT_HW_REVISION;
    st.counter = 0;
    int rc = secure_write(path, &st);
    fw_zeroize(&st, sizeof st);
    return rc;
}

static const char *json_string(const cJSON *root, const char *name, size_t max)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, name);
    if (!cJSON_IsString(it) || !it->valuestring || strlen(it->valuestring) >= max) {
        return NULL;
    }
    return it->valuestring;
}

static bool json_uint(const cJSON *root, const char *name, double max, double *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, name);
    if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > max ||
        it->valuedouble != (double)(uint64_t)it->valuedouble) {
        return false;
    }
    *out = it->valuedouble;
    return true;
}

static int parse_secure(const char *path, const char *text, secure_state_t *st)
{
    cJSON *root = cJSON_Parse(text);
    if (!root) {
        return host_fail(FW_E_CORRUPT, "secure element file %s is not valid JSON", path);
    }
    int rc = 0;
    const char *what = NULL;
    double version, counter, hwrev;
    const char *key, *serial, *model, *mac;
    if (!json_uint(root, "version", 1e6, &version)) {
        what = "version";
    } else if (version != SECURE_FORMAT_VERSION) {
        rc = host_fail(FW_E_UNSUPPORTED, "secure element file %s: version %g is not supported",
                       path, version);
    } else if (!(key = json_string(root, "device_key", 2 * HAL_SECURE_KEY_LEN + 1)) ||
               !hex_exact(key, st->key, sizeof st->key)) {
        what = "device_key (64 hex digits)";
    } else if (!json_uint(root, "counter", (double)UINT32_MAX, &counter)) {
        what = "counter";
    } else if (!(serial = json_string(root, "serial", sizeof st->id.serial)) || !*serial) {
        what = "serial";
    } else if (!(model = json_string(root, "model", sizeof st->id.model))) {
        what = "model";
    } else if (!(mac = json_string(root, "mac", 18)) || fw_mac_parse(mac, st->id.mac) != 0) {
        what = "mac (aa:bb:cc:dd:ee:ff)";
    } else if (!json_uint(root, "hw_revision", 65535, &hwrev)) {
        what = "hw_revision";
    } else {
        st->counter = (uint32_t)counter;
        st->id.hw_revision = (uint16_t)hwrev;
        snprintf(st->id.serial, sizeof st->id.serial, "%s", serial);
        snprintf(st->id.model, sizeof st->id.model, "%s", model);
    }
    if (what) {
        rc = host_fail(FW_E_CORRUPT, "secure element file %s: missing or bad \"%s\"", path, what);
    }
    const cJSON *key_item = cJSON_GetObjectItemCaseSensitive(root, "device_key");
    if (cJSON_IsString(key_item) && key_item->valuestring) {
        fw_zeroize(key_item->valuestring, strlen(key_item->valuestring));
    }
    cJSON_Delete(root);
    return rc;
}

int host_secure_load(const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rrc = fw_file_read(path, SECURE_MAX_BYTES, &buf, &len);
    if (rrc == FW_E_NOENT) {
        return host_fail(FW_E_NOENT,
                         "secure element file %s is missing: the device key and counter "
                         "are gone",
                         path);
    }
    if (rrc == FW_E_TOOBIG) {
        return host_fail(FW_E_TOOBIG, "secure element file %s is larger than %d bytes", path,
                         SECURE_MAX_BYTES);
    }
    if (rrc != 0) {
        return host_fail(FW_E_IO, "cannot read secure element file %s: %s", path,
                         fw_file_error(rrc));
    }
    secure_state_t st;
    memset(&st, 0, sizeof st);
    int rc = parse_secure(path, (const char *)buf, &st);
    fw_zeroize(buf, len);
    free(buf);
    if (rc == 0) {
        s_path = host_path_with_suffix(path, "");
        if (!s_path) {
            rc = FW_E_NOMEM;
        } else {
            s_state = st;
            s_loaded = true;
        }
    }
    fw_zeroize(&st, sizeof st);
    return rc;
}

void host_secure_unload(void)
{
    fw_zeroize(&s_state, sizeof s_state);
    free(s_path);
    s_path = NULL;
    s_loaded = false;
}

/* ------------------------------------------------------------ hal/secure */

int host_secure_derive_key(const char *label, uint8_t out[HAL_SECURE_KEY_LEN])
{
    if (!label || !out) {
        return FW_E_INVAL;
    }
    if (!s_loaded) {
        return FW_E_STATE;
    }
    return crypto_derive_key(s_state.key, sizeof s_state.key, label, out);
}

int host_secure_counter_read(uint32_t *value)
{
    if (!value) {
        return FW_E_INVAL;
    }
    if (!s_loaded) {
        return FW_E_STATE;
    }
    *value = s_state.counter;
    return 0;
}

int host_secure_counter_increment(uint32_t *new_value)
{
    if (!s_loaded) {
        return FW_E_STATE;
    }
    if (host_flash_cut_happened()) {
        return FW_E_POWER; /* the whole device lost power, not only the flash */
    }
    if (s_state.counter == UINT32_MAX) {
        return FW_E_NOSPACE;
    }
    secure_state_t next = s_state;
    next.counter++;
    int rc = secure_write(s_path, &next);
    if (rc == 0) {
        s_state.counter = next.counter;
        if (new_value) {
            *new_value = next.counter;
        }
    }
    fw_zeroize(&next, sizeof next);
    return rc;
}

/* ---------------------------------------------------------- hal/identity */

int host_identity_get(hal_identity_t *id)
{
    if (!id) {
        return FW_E_INVAL;
    }
    if (!s_loaded) {
        return FW_E_STATE;
    }
    *id = s_state.id;
    return 0;
}
