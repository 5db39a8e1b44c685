/*
 * The HAL sparkflash runs the firmware's own code over: the tool links the
 * storage half of both boards (host/host_storage.h, room/room_storage.h) and
 * binds the hal_* functions the store calls to the board the target belongs
 * to, so records are written and read by the same store code over the same
 * board code as on the device. sf_board_open() brings that board up (after
 * sf_target_check() has said yes), sf_board_close() takes it down.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "flash_cli.h"
#include "fw/err.h"
#include "hal/log.h"
#include "hal/system.h"
#include "host/host_storage.h"
#include "proto/layout.h"
#include "room/room_storage.h"
#include "target_priv.h"

typedef struct {
    int (*geometry)(hal_flash_geometry_t *geo);
    int (*read)(uint32_t offset, void *buf, size_t len);
    int (*program)(uint32_t offset, const void *buf, size_t len);
    int (*erase)(uint32_t sector);
    int (*derive_key)(const char *label, uint8_t out[HAL_SECURE_KEY_LEN]);
    int (*counter_read)(uint32_t *value);
    int (*counter_increment)(uint32_t *new_value);
    int (*identity_get)(hal_identity_t *id);
    void (*close)(void);
} backend_t;

static const backend_t s_host = {
    host_flash_geometry,
    host_flash_read,
    host_flash_program,
    host_flash_erase,
    host_secure_derive_key,
    host_secure_counter_read,
    host_secure_counter_increment,
    host_identity_get,
    host_storage_close,
};
static const backend_t s_room = {
    room_flash_geometry,
    room_flash_read,
    room_flash_program,
    room_flash_erase,
    room_secure_derive_key,
    room_secure_counter_read,
    room_secure_counter_increment,
    room_identity_get,
    room_storage_close,
};

static const backend_t *s_be;
static hal_log_level_t s_level = HAL_LOG_WARN;
static bool s_mute; /* while a board opens: its failure comes back as last_error */
static volatile sig_atomic_t s_stop;
static struct sigaction s_old_int, s_old_term;

int hal_flash_geometry(hal_flash_geometry_t *geo)
{
    return s_be ? s_be->geometry(geo) : FW_E_STATE;
}

int hal_flash_read(uint32_t offset, void *buf, size_t len)
{
    return s_be ? s_be->read(offset, buf, len) : FW_E_STATE;
}

int hal_flash_program(uint32_t offset, const void *buf, size_t len)
{
    return s_be ? s_be->program(offset, buf, len) : FW_E_STATE;
}

int hal_flash_erase(uint32_t sector)
{
    return s_be ? s_be->erase(sector) : FW_E_STATE;
}

int hal_secure_derive_key(const char *label, uint8_t out[HAL_SECURE_KEY_LEN])
{
    return s_be ? s_be->derive_key(label, out) : FW_E_STATE;
}

int hal_secure_counter_read(uint32_t *value)
{
    return s_be ? s_be->counter_read(value) : FW_E_STATE;
}

int hal_secure_counter_increment(uint32_t *new_value)
{
    return s_be ? s_be->counter_increment(new_value) : FW_E_STATE;
}

int hal_identity_get(hal_identity_t *id)
{
    return s_be ? s_be->identity_get(id) : FW_E_STATE;
}

hal_log_level_t hal_log_threshold(void)
{
    return s_level;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > s_level || s_mute) {
        return;
    }
    unsigned idx = (unsigned)level < 4 ? (unsigned)level : 3;
    fprintf(stderr, "sparkflash: %s: %s: %s\n", names[idx], tag ? tag : "?", msg ? msg : "");
}

static void on_stop(int sig)
{
    (void)sig;
    s_stop = 1;
}

bool hal_system_stop_requested(void)
{
    return s_stop != 0;
}

static void catch_stop(bool on)
{
    if (on) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_stop;
        sigemptyset(&sa.sa_mask);
        s_stop = 0;
        (void)sigaction(SIGINT, &sa, &s_old_int);
        (void)sigaction(SIGTERM, &sa, &s_old_term);
    } else {
        (void)sigaction(SIGINT, &s_old_int, NULL);
        (void)sigaction(SIGTERM, &s_old_term, NULL);
    }
}

int sf_board_open(const char *cmd, const sf_board_args_t *args)
{
    const sf_target_t *t = args->target;
    if (s_be) {
        return sf_fail(cmd, "a target is already open");
    }
    s_level = args->quiet ? HAL_LOG_ERROR : HAL_LOG_WARN;
    char key[PATH_MAX + 16] = "";
    bool had_key = true;
    int rc;
    s_mute = true;
    if (t->board == SF_BOARD_HOST) {
        host_board_options_t o;
        host_board_options_default(&o);
        o.flash_path = t->path;
        o.flash_size = args->flash_size;
        o.serial = args->serial;
        o.model = args->model;
        rc = host_storage_open(&o);
    } else {
        (void)snprintf(key, sizeof key, "%s/%s", t->room.secure_dir, ROOM_BOARD_KEY_FILE);
        had_key = access(key, F_OK) == 0;
        rc = room_storage_open(&t->room);
    }
    s_mute = false;
    if (rc != 0) {
        return sf_fail(cmd, "cannot open %s: %s", t->path,
                       t->board == SF_BOARD_HOST ? host_board_last_error()
                                                 : room_board_last_error());
    }
    s_be = t->board == SF_BOARD_HOST ? &s_host : &s_room;
    if (!had_key) {
        sf_note(cmd, "first contact: created the device key %s", key);
    }
    catch_stop(true);
    return SF_EXIT_OK;
}

void sf_board_close(void)
{
    if (s_be) {
        s_be->close();
        s_be = NULL;
        catch_stop(false);
    }
}

void sf_board_quiet(bool quiet)
{
    s_level = quiet ? HAL_LOG_ERROR : HAL_LOG_WARN;
}

int sf_store_mount(store_t *s)
{
    return layout_store_mount(s);
}

void sf_board_mute(bool mute)
{
    s_mute = mute;
}
