/*
 * bench_render [N] [WxH]: time to lay out and draw a full screen (default
 * 1920x1080), N times per screen (default 20), for the screens with the most
 * on them: the German return screen (text, QR code, button), the about
 * screen, the grace banner. Prints the median and best time of a whole
 * render (ui_render(): layout, grounds, QR code, glyphs) and the median of
 * the layout alone (measuring and wrapping every line). Run it under valgrind --tool=massif for the
 * heap peak and
 * --tool=callgrind for instruction counts (BENCHMARKS.md, "Screens").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fw/err.h"
#include "hal/log.h"
#include "sample.h"
#include "ui/render.h"

hal_log_level_t hal_log_threshold(void)
{
    return HAL_LOG_WARN;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    (void)level;
    fprintf(stderr, "bench_render: %s: %s\n", tag, msg);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20;
    unsigned w = 1920, h = 1080;
    if (argc > 2 && sscanf(argv[2], "%ux%u", &w, &h) != 2) {
        fprintf(stderr, "usage: bench_render [N] [WxH]\n");
        return 2;
    }
    if (n < 1 || n > 10000 || w < 320 || h < 180 || w > 3840 || h > 2160) {
        fprintf(stderr, "bench_render: N 1..10000, size 320x180..3840x2160\n");
        return 2;
    }
    double t0 = now_ms();
    ui_renderer_t *r = ui_renderer_open("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                                        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");
    uint8_t *fb = malloc((size_t)w * h * 3);
    ui_layout_t *layout = malloc(sizeof *layout);
    double *t = malloc(sizeof *t * (size_t)n), *tl = malloc(sizeof *tl * (size_t)n);
    if (!r || !fb || !layout || !t || !tl) {
        fprintf(stderr, "bench_render: cannot start (fonts, memory)\n");
        return 1;
    }
    printf("fonts loaded in %.1f ms\n", now_ms() - t0);
    printf("%-14s %10s %11s %9s %11s\n", "screen", "size", "render ms", "best ms", "layout ms");
    static const struct {
        const char *name;
        ui_lang_t lang;
    } cases[] = {{"return", UI_LANG_DE}, {"about", UI_LANG_DE}, {"grace", UI_LANG_EN}};
    screens_room_t room;
    screens_room_default(&room);
    static ui_screen_t s;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        screens_case_t c;
        if (screens_case(&room, cases[k].lang, cases[k].name, &c) != 0) {
            return 1;
        }
        screens_build(&c, &s);
        for (int i = 0; i < n; i++) {
            double a = now_ms();
            if (ui_layout(r, &s, (uint16_t)w, (uint16_t)h, layout) != 0) {
                return 1;
            }
            double b = now_ms();
            if (ui_render(r, &s, fb, (uint16_t)w, (uint16_t)h, layout) != 0) {
                return 1;
            }
            tl[i] = b - a;
            t[i] = now_ms() - b;
        }
        qsort(t, (size_t)n, sizeof *t, cmp);
        qsort(tl, (size_t)n, sizeof *tl, cmp);
        char label[32];
        snprintf(label, sizeof label, "%s-%s", cases[k].name, ui_lang_code(cases[k].lang));
        char size[16];
        snprintf(size, sizeof size, "%ux%u", w, h);
        printf("%-14s %10s %11.2f %9.2f %11.2f\n", label, size, t[n / 2], t[0], tl[n / 2]);
    }
    free(t);
    free(tl);
    free(layout);
    free(fb);
    ui_renderer_close(r);
    return 0;
}
