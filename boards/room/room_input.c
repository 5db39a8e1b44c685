/*
 * Input: Linux evdev devices, read without blocking.
 *
 *  - keys: KEY_HOME -> HAL_BUTTON_HOME, KEY_INFO / KEY_HELP -> HAL_BUTTON_INFO,
 *    on press only (value 1; repeats and releases are ignored);
 *  - touch: single-touch ABS_X/ABS_Y or multi-touch slot positions, with
 *    BTN_TOUCH; one HAL_INPUT_TOUCH at the SYN_REPORT that ends a touch-down,
 *    scaled from the device's axis range to display pixels.
 * A missing device is no error: no events come from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fw/err.h"
#include "hal/display.h"
#include "hal/input.h"
#include "room_config.h"
#include "room_internal.h"

typedef struct {
    int fd;
    struct input_absinfo ax, ay; /* axis ranges; maximum 0 = unknown */
    int32_t x, y;
    bool down_pending; /* BTN_TOUCH went down since the last SYN_REPORT */
} input_dev_t;

static input_dev_t s_dev[ROOM_INPUT_MAX_DEVICES];
static size_t s_ndev;
static hal_input_event_t s_queue[ROOM_INPUT_QUEUE_LEN];
static unsigned s_head, s_count;

static void push(const hal_input_event_t *ev)
{
    if (s_count == ROOM_INPUT_QUEUE_LEN) {
        return; /* nobody is reading: older presses matter more than newer */
    }
    s_queue[(s_head + s_count++) % ROOM_INPUT_QUEUE_LEN] = *ev;
}

static uint16_t scale(int32_t v, const struct input_absinfo *a, uint16_t pixels)
{
    if (pixels == 0) {
        return 0;
    }
    int64_t span = (int64_t)a->maximum - a->minimum;
    int64_t p = span > 0 ? ((int64_t)v - a->minimum) * (pixels - 1) / span : v;
    if (p < 0) {
        p = 0;
    }
    if (p > pixels - 1) {
        p = pixels - 1;
    }
    return (uint16_t)p;
}

int room_input_open(const char (*paths)[ROOM_OPT_PATH_MAX], size_t n)
{
    room_input_close();
    for (size_t i = 0; i < n && s_ndev < ROOM_INPUT_MAX_DEVICES; i++) {
        if (!paths[i][0]) {
            continue;
        }
        int fd = open(paths[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            room_log(HAL_LOG_INFO, "input %s: %s (no events from it)", paths[i], strerror(errno));
            continue;
        }
        input_dev_t *d = &s_dev[s_ndev];
        memset(d, 0, sizeof *d);
        d->fd = fd;
        if (ioctl(fd, EVIOCGABS(ABS_MT_POSITION_X), &d->ax) != 0 || d->ax.maximum == 0) {
            (void)ioctl(fd, EVIOCGABS(ABS_X), &d->ax);
        }
        if (ioctl(fd, EVIOCGABS(ABS_MT_POSITION_Y), &d->ay) != 0 || d->ay.maximum == 0) {
            (void)ioctl(fd, EVIOCGABS(ABS_Y), &d->ay);
        }
        s_ndev++;
    }
    return 0;
}

void room_input_close(void)
{
    for (size_t i = 0; i < s_ndev; i++) {
        close(s_dev[i].fd);
    }
    s_ndev = 0;
    s_head = s_count = 0;
}

size_t room_input_fds(int *fds, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s_ndev && n < max; i++) {
        fds[n++] = s_dev[i].fd;
    }
    return n;
}

static void handle(input_dev_t *d, const struct input_event *e)
{
    hal_input_event_t ev;
    memset(&ev, 0, sizeof ev);
    if (e->type == EV_KEY && e->code == BTN_TOUCH) {
        d->down_pending = e->value == 1;
    } else if (e->type == EV_KEY && e->value == 1) {
        if (e->code == KEY_HOME) {
            ev.kind = HAL_INPUT_BUTTON;
            ev.code = HAL_BUTTON_HOME;
            push(&ev);
        } else if (e->code == KEY_INFO || e->code == KEY_HELP) {
            ev.kind = HAL_INPUT_BUTTON;
            ev.code = HAL_BUTTON_INFO;
            push(&ev);
        }
    } else if (e->type == EV_ABS) {
        if (e->code == ABS_X || e->code == ABS_MT_POSITION_X) {
            d->x = e->value;
        } else if (e->code == ABS_Y || e->code == ABS_MT_POSITION_Y) {
            d->y = e->value;
        }
    } else if (e->type == EV_SYN && e->code == SYN_REPORT && d->down_pending) {
        d->down_pending = false;
        hal_display_info_t info;
        if (hal_display_info(&info) != 0) {
            info.width = ROOM_FALLBACK_WIDTH;
            info.height = ROOM_FALLBACK_HEIGHT;
        }
        ev.kind = HAL_INPUT_TOUCH;
        ev.x = scale(d->x, &d->ax, info.width);
        ev.y = scale(d->y, &d->ay, info.height);
        push(&ev);
    }
}

void room_input_pump(void)
{
    for (size_t i = 0; i < s_ndev; i++) {
        struct input_event buf[16];
        for (int rounds = 0; rounds < 8; rounds++) { /* bounded: a chatty device cannot hang us */
            ssize_t n = read(s_dev[i].fd, buf, sizeof buf);
            if (n <= 0) {
                if (n < 0 && errno == ENODEV) {
                    /* Unplugged: drop it, or ppoll() would report it forever. */
                    room_log(HAL_LOG_WARN, "an input device went away");
                    close(s_dev[i].fd);
                    s_dev[i] = s_dev[--s_ndev];
                    i--; /* look at the device moved into this slot */
                }
                break;
            }
            for (size_t k = 0; k < (size_t)n / sizeof buf[0]; k++) {
                handle(&s_dev[i], &buf[k]);
            }
        }
    }
}

int hal_input_poll(hal_input_event_t *ev)
{
    if (!ev) {
        return FW_E_INVAL;
    }
    room_input_pump();
    if (s_count == 0) {
        return 0;
    }
    *ev = s_queue[s_head];
    s_head = (s_head + 1) % ROOM_INPUT_QUEUE_LEN;
    s_count--;
    return 1;
}
