/*
 * The room board's front door: options (config file and flags share one
 * setter, so both refuse the same values with the same words), the last
 * error, board log lines and the file helpers every part shares. Part of
 * the storage half (room/room_storage.h): it names no screen, socket or
 * input device.
 */
#include "room/room_board.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw/err.h"
#include "fw/path.h"
#include "fw/sockaddr.h"
#include "room_config.h"
#include "room_internal.h"

static char s_last_error[512];

/* ---------------------------------------------------------------- errors */

void room_error_clear(void)
{
    s_last_error[0] = '\0';
}

int room_fail(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(s_last_error, sizeof s_last_error, fmt, ap);
    va_end(ap);
    hal_log_write(HAL_LOG_ERROR, "board", s_last_error);
    return err;
}

const char *room_board_last_error(void)
{
    return s_last_error;
}

/* --------------------------------------------------------------- options */

void room_board_options_default(room_board_options_t *opts)
{
    memset(opts, 0, sizeof *opts);
    snprintf(opts->flash, sizeof opts->flash, "%s", ROOM_DEFAULT_FLASH);
    opts->flash_sector_size = ROOM_DEFAULT_SECTOR_SIZE;
    opts->flash_program_unit = ROOM_DEFAULT_PROGRAM_UNIT;
    snprintf(opts->secure_dir, sizeof opts->secure_dir, "%s", ROOM_DEFAULT_SECURE_DIR);
    snprintf(opts->fb, sizeof opts->fb, "%s", ROOM_DEFAULT_FB);
    snprintf(opts->font, sizeof opts->font, "%s", ROOM_DEFAULT_FONT);
    snprintf(opts->font_bold, sizeof opts->font_bold, "%s", ROOM_DEFAULT_FONT_BOLD);
    snprintf(opts->call_socket, sizeof opts->call_socket, "%s", ROOM_DEFAULT_CALL_SOCKET);
    snprintf(opts->iface, sizeof opts->iface, "%s", ROOM_DEFAULT_IFACE);
    snprintf(opts->input[0], sizeof opts->input[0], "%s", ROOM_DEFAULT_INPUT);
    snprintf(opts->support_listen, sizeof opts->support_listen, "%s", ROOM_DEFAULT_SUPPORT_LISTEN);
    opts->hw_revision = ROOM_DEFAULT_HW_REVISION;
    opts->log_level = HAL_LOG_INFO;
    opts->log_stderr = false;
    opts->secure_backend = ROOM_SECURE_TPM;
    snprintf(opts->tpm, sizeof opts->tpm, "%s", ROOM_DEFAULT_TPM);
    opts->tpm_nv_index = ROOM_DEFAULT_TPM_NV_INDEX;
}

static int opt_error(char *err, size_t cap, int rc, const char *key, const char *fmt, ...)
    ROOM_PRINTF(5, 6);

/* "key 'KEY': what is wrong" into err, and return rc. */
static int opt_error(char *err, size_t cap, int rc, const char *key, const char *fmt, ...)
{
    if (err && cap) {
        char what[192];
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        (void)snprintf(err, cap, "key '%s': %s", key, what);
    }
    return rc;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    if (!s || *s < '0' || *s > '9') {
        return false; /* strtoul would take "-1" and " 1" */
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* A path or name: printable, no spaces at the ends (trimmed by the parser),
 * short enough. "none" is how the config says "this device is absent". */
static int set_string(char *dst, size_t cap, const char *value, const char *key, char *err,
                      size_t errcap)
{
    size_t n = strlen(value);
    if (n >= cap) {
        return opt_error(err, errcap, FW_E_INVAL, key, "value too long (at most %s characters)",
                         cap <= 32 ? "31" : "255");
    }
    for (size_t i = 0; i < n; i++) {
        if (!isprint((unsigned char)value[i])) {
            return opt_error(err, errcap, FW_E_INVAL, key, "%s", "value has control characters");
        }
    }
    memcpy(dst, value, n + 1);
    return 0;
}

/* For a device path: "" and "none" both mean "not present". */
static int set_device(char *dst, size_t cap, const char *value, const char *key, char *err,
                      size_t errcap)
{
    if (strcmp(value, "none") == 0) {
        dst[0] = '\0';
        return 0;
    }
    if (value[0] != '/') {
        return opt_error(err, errcap, FW_E_INVAL, key,
                         "expected an absolute path or 'none', got '%s'", value);
    }
    return set_string(dst, cap, value, key, err, errcap);
}

static int set_bool(bool *dst, const char *value, const char *key, char *err, size_t cap)
{
    if (strcmp(value, "1") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "true") == 0) {
        *dst = true;
    } else if (strcmp(value, "0") == 0 || strcmp(value, "no") == 0 || strcmp(value, "false") == 0) {
        *dst = false;
    } else {
        return opt_error(err, cap, FW_E_INVAL, key, "expected yes or no, got '%s'", value);
    }
    return 0;
}

static bool power_of_two(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

int room_board_set_option(room_board_options_t *opts, const char *key_in, const char *value,
                          char *err, size_t cap)
{
    if (!opts || !key_in || !value) {
        return FW_E_INVAL;
    }
    char key[32];
    size_t n = strlen(key_in);
    if (n >= sizeof key) {
        return opt_error(err, cap, FW_E_NOENT, "?", "unknown key (too long: %.40s...)", key_in);
    }
    for (size_t i = 0; i <= n; i++) {
        key[i] = key_in[i] == '-' ? '_' : key_in[i];
    }
    uint32_t u;
    if (strcmp(key, "flash") == 0) {
        if (value[0] != '/') {
            return opt_error(err, cap, FW_E_INVAL, key, "expected an absolute path, got '%s'",
                             value);
        }
        return set_string(opts->flash, sizeof opts->flash, value, key, err, cap);
    }
    if (strcmp(key, "flash_sector_size") == 0) {
        if (!parse_u32(value, &u) || !power_of_two(u) || u < 512 || u > LAYOUT_STORE_BYTES) {
            return opt_error(err, cap, FW_E_INVAL, key,
                             "expected a power of two from 512 to 524288, got '%s'", value);
        }
        opts->flash_sector_size = u;
        return 0;
    }
    if (strcmp(key, "flash_program_unit") == 0) {
        if (!parse_u32(value, &u) || !power_of_two(u) || u > 256) {
            return opt_error(err, cap, FW_E_INVAL, key,
                             "expected a power of two from 1 to 256, got '%s'", value);
        }
        opts->flash_program_unit = u;
        return 0;
    }
    if (strcmp(key, "secure_dir") == 0) {
        if (value[0] != '/') {
            return opt_error(err, cap, FW_E_INVAL, key, "expected an absolute path, got '%s'",
                             value);
        }
        return set_string(opts->secure_dir, sizeof opts->secure_dir, value, key, err, cap);
    }
    if (strcmp(key, "secure_backend") == 0) {
        if (strcmp(value, "tpm") == 0) {
            opts->secure_backend = ROOM_SECURE_TPM;
        } else if (strcmp(value, "file") == 0) {
            opts->secure_backend = ROOM_SECURE_FILE;
        } else {
            return opt_error(err, cap, FW_E_INVAL, key, "expected tpm or file, got '%s'", value);
        }
        return 0;
    }
    if (strcmp(key, "tpm") == 0) {
        /* A TCTI: "device:/dev/tpmrm0", "swtpm:host=127.0.0.1,port=2321", ... */
        if (!strchr(value, ':') && value[0] != '/' && strcmp(value, "device") != 0) {
            return opt_error(err, cap, FW_E_INVAL, key,
                             "expected a TPM transport like device:/dev/tpmrm0 or "
                             "swtpm:host=127.0.0.1,port=2321, got '%s'",
                             value);
        }
        return set_string(opts->tpm, sizeof opts->tpm, value, key, err, cap);
    }
    if (strcmp(key, "tpm_nv_index") == 0) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 16);
        if (strncmp(value, "0x", 2) != 0 || errno != 0 || *end != '\0' || v < 0x01000000ull ||
            v > 0x01FFFFFFull) {
            return opt_error(err, cap, FW_E_INVAL, key,
                             "expected an NV index 0x01000000..0x01ffffff, got '%s'", value);
        }
        opts->tpm_nv_index = (uint32_t)v;
        return 0;
    }
    if (strcmp(key, "fb") == 0) {
        return set_device(opts->fb, sizeof opts->fb, value, key, err, cap);
    }
    if (strcmp(key, "font") == 0) {
        return set_device(opts->font, sizeof opts->font, value, key, err, cap);
    }
    if (strcmp(key, "font_bold") == 0) {
        return set_device(opts->font_bold, sizeof opts->font_bold, value, key, err, cap);
    }
    if (strcmp(key, "call_socket") == 0) {
        /* sun_path holds 108 bytes including the NUL. */
        if (strlen(value) > 107) {
            return opt_error(err, cap, FW_E_INVAL, key,
                             "a Unix socket path has at most 107 characters: '%s'", value);
        }
        return set_device(opts->call_socket, sizeof opts->call_socket, value, key, err, cap);
    }
    if (strcmp(key, "iface") == 0) {
        if (!*value || strlen(value) >= 16 || strchr(value, '/') || strchr(value, '.') == value) {
            return opt_error(err, cap, FW_E_INVAL, key,
                             "expected a network interface name like eth0, got '%s'", value);
        }
        return set_string(opts->iface, sizeof opts->iface, value, key, err, cap);
    }
    if (strcmp(key, "input") == 0) {
        /* Comma-separated evdev devices, or "none". */
        char list[ROOM_OPT_INPUT_MAX][ROOM_OPT_PATH_MAX];
        memset(list, 0, sizeof list);
        if (strcmp(value, "none") != 0) {
            size_t count = 0;
            for (const char *p = value; *p;) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t)(comma - p) : strlen(p);
                if (count == ROOM_OPT_INPUT_MAX || len == 0 || len >= ROOM_OPT_PATH_MAX ||
                    p[0] != '/') {
                    return opt_error(err, cap, FW_E_INVAL, key,
                                     "expected 'none' or up to 4 comma-separated absolute "
                                     "paths, got '%s'",
                                     value);
                }
                memcpy(list[count], p, len);
                list[count++][len] = '\0';
                p += len + (comma ? 1 : 0);
                if (comma && !*p) {
                    return opt_error(err, cap, FW_E_INVAL, key, "trailing comma in '%s'", value);
                }
            }
        }
        memcpy(opts->input, list, sizeof list);
        return 0;
    }
    if (strcmp(key, "serial") == 0) {
        return set_string(opts->serial, sizeof opts->serial, value, key, err, cap);
    }
    if (strcmp(key, "model") == 0) {
        return set_string(opts->model, sizeof opts->model, value, key, err, cap);
    }
    if (strcmp(key, "hw_revision") == 0) {
        if (!parse_u32(value, &u) || u > 65535) {
            return opt_error(err, cap, FW_E_INVAL, key, "expected a number 0..65535, got '%s'",
                             value);
        }
        opts->hw_revision = (uint16_t)u;
        return 0;
    }
    if (strcmp(key, "log_level") == 0) {
        static const char *const names[] = {"error", "warn", "info", "debug"};
        for (int i = 0; i < 4; i++) {
            if (strcmp(value, names[i]) == 0) {
                opts->log_level = (hal_log_level_t)i;
                return 0;
            }
        }
        return opt_error(err, cap, FW_E_INVAL, key, "expected error|warn|info|debug, got '%s'",
                         value);
    }
    if (strcmp(key, "support_listen") == 0) {
        struct sockaddr_storage sa;
        socklen_t sl;
        if (strcmp(value, "off") == 0 || strcmp(value, "none") == 0) {
            opts->support_listen[0] = '\0';
            return 0;
        }
        if (strlen(value) >= sizeof opts->support_listen ||
            fw_sockaddr_parse(value, &sa, &sl) != 0) {
            return opt_error(err, cap, FW_E_INVAL, key,
                             "expected ADDR:PORT ([::]:5684, 192.0.2.10:5684) or 'off', got '%s'",
                             value);
        }
        return set_string(opts->support_listen, sizeof opts->support_listen, value, key, err, cap);
    }
    if (strcmp(key, "log_stderr") == 0) {
        return set_bool(&opts->log_stderr, value, key, err, cap);
    }
    return opt_error(err, cap, FW_E_NOENT, key, "%s", "unknown key");
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

int room_board_load_config(room_board_options_t *opts, const char *path, char *err, size_t cap)
{
    if (!opts || !path) {
        return FW_E_INVAL;
    }
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (err && cap) {
            (void)snprintf(err, cap, "%s: cannot read: %s", path, strerror(errno));
        }
        return FW_E_IO;
    }
    char line[ROOM_CONFIG_LINE_MAX + 2];
    char why[256];
    unsigned lineno = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        lineno++;
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\n') {
            line[--n] = '\0';
        } else if (!feof(fp)) {
            rc = FW_E_TOOBIG;
            (void)snprintf(why, sizeof why, "line longer than %d characters", ROOM_CONFIG_LINE_MAX);
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = FW_E_FORMAT;
            (void)snprintf(why, sizeof why, "expected key=value, got '%.60s'", s);
            break;
        }
        *eq = '\0';
        char *key = trim(s);
        char *value = trim(eq + 1);
        if (*key == '\0') {
            rc = FW_E_FORMAT;
            (void)snprintf(why, sizeof why, "empty key before '='");
            break;
        }
        if (strchr(key, '-')) { /* flags take dashes, the file takes the real name */
            rc = FW_E_NOENT;
            (void)snprintf(why, sizeof why, "key '%.40s': unknown key (write '_' not '-')", key);
            break;
        }
        rc = room_board_set_option(opts, key, value, why, sizeof why);
    }
    if (rc == 0 && ferror(fp)) {
        rc = FW_E_IO;
        (void)snprintf(why, sizeof why, "read error");
    }
    fclose(fp);
    if (rc != 0 && err && cap) {
        (void)snprintf(err, cap, "%s:%u: %s", path, lineno, why);
    }
    return rc;
}

void room_board_usage(FILE *out)
{
    fputs("  --config FILE         key=value file (default " ROOM_DEFAULT_CONFIG " if it exists);\n"
          "                        flags below override it; each flag is also a key\n"
          "                        with '_' for '-' (e.g. secure_dir=/var/lib/spark/secure)\n"
          "  --flash PATH          /dev/mtdN, an eMMC partition or a file (default\n"
          "                        " ROOM_DEFAULT_FLASH ")\n"
          "  --flash-sector-size N erase unit emulated on a file/block device (default 16384)\n"
          "  --flash-program-unit N program unit on a file/block device (default 1)\n"
          "  --secure-dir DIR      device key blob (and counter, file back end) (default\n"
          "                        " ROOM_DEFAULT_SECURE_DIR ")\n"
          "  --secure-backend B    tpm (default: TPM 2.0) or file (key and counter as files,\n"
          "                        no protection against root; warns at every start)\n"
          "  --tpm TCTI            TPM transport (default " ROOM_DEFAULT_TPM ")\n"
          "  --tpm-nv-index 0xN    the counter's NV index (default 0x01800517)\n"
          "  --fb PATH|none        framebuffer (default " ROOM_DEFAULT_FB ")\n"
          "  --font PATH           TrueType font (default " ROOM_DEFAULT_FONT ")\n"
          "  --font-bold PATH      its bold face (default " ROOM_DEFAULT_FONT_BOLD ")\n"
          "  --call-socket PATH|none  Unix datagram socket for the calling stack\n"
          "                        (default " ROOM_DEFAULT_CALL_SOCKET ")\n"
          "  --iface NAME          network interface (default " ROOM_DEFAULT_IFACE ")\n"
          "  --input PATHS|none    evdev devices, comma-separated (default " ROOM_DEFAULT_INPUT
          ")\n"
          "  --serial S            hardware serial (default: device tree)\n"
          "  --model M             model (default: device tree, else " ROOM_DEFAULT_MODEL ")\n"
          "  --hw-revision N       board revision (default 1)\n"
          "  --log-level L         error, warn, info (default) or debug\n"
          "  --log-stderr          copy log lines to stderr (syslog always)\n"
          "  --support-listen ADDR:PORT|off  the read-only support port (default\n"
          "                        " ROOM_DEFAULT_SUPPORT_LISTEN ", DTLS with the support PSK)\n",
          out);
}
