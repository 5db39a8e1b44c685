/*
 * Identity and link state, from what Linux already knows about the device:
 * the device tree (serial, model), sysfs (MAC, operstate). The config can
 * override serial and model (boards whose device tree lacks them) and gives
 * the hardware revision, which no standard file holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/err.h"
#include "fw/file.h"
#include "fw/hex.h"
#include "hal/identity.h"
#include "hal/net.h"
#include "room_config.h"
#include "room_internal.h"

static bool s_loaded;
static hal_identity_t s_id;
static char s_iface[32] = ROOM_DEFAULT_IFACE;

/* Device-tree strings end in NUL; sysfs lines in "\n". Keep printable text. */
static int read_text(const char *path, char *out, size_t cap)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = fw_file_read(path, 127, &buf, &len);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < len && buf[i] != '\0' && buf[i] != '\n'; i++) {
        if (n + 1 >= cap) {
            rc = FW_E_TOOBIG;
        } else if (buf[i] < 0x20 || buf[i] > 0x7e) {
            rc = FW_E_FORMAT;
        } else {
            out[n++] = (char)buf[i];
        }
    }
    free(buf);
    if (rc != 0) {
        return rc;
    }
    out[n] = '\0';
    return n > 0 ? 0 : FW_E_NOENT;
}

int room_identity_read(const room_board_options_t *opts, hal_identity_t *id)
{
    memset(id, 0, sizeof *id);
    if (opts->serial[0]) {
        snprintf(id->serial, sizeof id->serial, "%s", opts->serial);
    } else if (read_text(ROOM_DT_SERIAL, id->serial, sizeof id->serial) != 0) {
        return room_fail(FW_E_NOENT,
                         "no hardware serial: %s is missing or unusable; set serial= in the "
                         "board config",
                         ROOM_DT_SERIAL);
    }
    if (opts->model[0]) {
        snprintf(id->model, sizeof id->model, "%s", opts->model);
    } else if (read_text(ROOM_DT_MODEL, id->model, sizeof id->model) != 0) {
        snprintf(id->model, sizeof id->model, "%s", ROOM_DEFAULT_MODEL);
    }
    char path[96], mac[32];
    snprintf(path, sizeof path, ROOM_SYS_NET "/%s/address", opts->iface);
    if (read_text(path, mac, sizeof mac) != 0 || fw_mac_parse(mac, id->mac) != 0) {
        room_log(HAL_LOG_WARN, "no MAC address in %s: reporting 00:00:00:00:00:00", path);
        memset(id->mac, 0, sizeof id->mac);
    }
    id->hw_revision = opts->hw_revision;
    return 0;
}

int room_identity_load(const room_board_options_t *opts)
{
    s_loaded = false;
    int rc = room_identity_read(opts, &s_id);
    s_loaded = rc == 0;
    return rc;
}

int room_identity_get(hal_identity_t *id)
{
    if (!id) {
        return FW_E_INVAL;
    }
    if (!s_loaded) {
        return FW_E_STATE;
    }
    *id = s_id;
    return 0;
}

/* --------------------------------------------------------------- hal/net */

void room_net_set_iface(const char *iface)
{
    snprintf(s_iface, sizeof s_iface, "%s", iface && *iface ? iface : ROOM_DEFAULT_IFACE);
}

bool room_net_is_up(void)
{
    /* "up" is RFC 2863's operational state; "unknown" is what drivers
     * without carrier reporting (and loopback) say while working. */
    char path[96], state[32];
    snprintf(path, sizeof path, ROOM_SYS_NET "/%s/operstate", s_iface);
    if (read_text(path, state, sizeof state) != 0) {
        return false;
    }
    return strcmp(state, "up") == 0 || strcmp(state, "unknown") == 0;
}
