/*
 * spark-screens: every screen of a sample room at each point of the trial
 * timeline, as PNG files (docs/SCREENS.md). The same model, layout and
 * renderer as the agent; the trial state comes from firmware/trial.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fw/err.h"
#include "hal/log.h"
#include "sample.h"
#include "sim/png.h"
#include "ui/render.h"

#ifndef SPARK_VERSION
#define SPARK_VERSION "0.0.0"
#endif
#define FONT_DEFAULT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD_DEFAULT "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define SCREEN_SIZE_MIN 320
#define SCREEN_SIZE_MAX 3840

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* The firmware's log lines (a font that does not load, ...) go to stderr. */
hal_log_level_t hal_log_threshold(void)
{
    return HAL_LOG_WARN;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    fprintf(stderr, "spark-screens: %s: %s: %s\n", level == HAL_LOG_ERROR ? "error" : "warning",
            tag ? tag : "?", msg ? msg : "");
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: spark-screens --out DIR [--locale en|de] [--size WxH] [options]\n"
            "Draws every screen of a sample room at each point of the trial timeline as\n"
            "DIR/<screen>-<locale>.png: setup, home, expiring, last-day, grace, ended,\n"
            "call-blocked, return, about, paid.\n\n"
            "  --out DIR          where the PNG files go (created if missing)\n"
            "  --locale en|de     one language (default: both)\n"
            "  --size WxH         screen size in pixels (default 1280x720; %d..%d)\n"
            "  --screen NAME      only this screen (may be repeated)\n"
            "  --model M, --serial S, --trial T, --return-url URL\n"
            "                     the sample room's identity (default Spark Room Kit,\n"
            "                     FOC2240Y1ZZ, D1000001, https://partner.example/rma)\n"
            "  --font FILE, --font-bold FILE\n"
            "                     TrueType fonts (default DejaVu Sans and Sans Bold)\n"
            "  --help, --version\n\n"
            "Exit codes: 0 all written and every screen fits, 1 a screen does not fit\n"
            "(named on stderr; the file is still written) or a file could not be written,\n"
            "2 bad command line.\n",
            SCREEN_SIZE_MIN, SCREEN_SIZE_MAX);
}

static int parse_size(const char *s, uint16_t *w, uint16_t *h)
{
    char *end;
    errno = 0;
    unsigned long a = strtoul(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X') || errno != 0) {
        return FW_E_INVAL;
    }
    const char *p = end + 1;
    unsigned long b = strtoul(p, &end, 10);
    if (end == p || *end != '\0' || errno != 0 || a < SCREEN_SIZE_MIN || b < SCREEN_SIZE_MIN / 2 ||
        a > SCREEN_SIZE_MAX || b > SCREEN_SIZE_MAX) {
        return FW_E_INVAL;
    }
    *w = (uint16_t)a;
    *h = (uint16_t)b;
    return 0;
}

static bool known_screen(const char *name)
{
    for (size_t i = 0; i < SCREENS_COUNT; i++) {
        if (strcmp(name, screens_names[i]) == 0) {
            return true;
        }
    }
    return false;
}

typedef struct {
    const char *out;
    uint16_t w, h;
    const char *only[SCREENS_COUNT];
    size_t n_only;
} job_t;

static bool wanted(const job_t *j, const char *name)
{
    for (size_t i = 0; i < j->n_only; i++) {
        if (strcmp(j->only[i], name) == 0) {
            return true;
        }
    }
    return j->n_only == 0;
}

/* Draw and write one screen; 0, or EXIT_FAIL with the reason on stderr. */
static int one(ui_renderer_t *r, const job_t *j, const screens_room_t *room, ui_lang_t lang,
               const char *name, uint8_t *fb, ui_layout_t *layout)
{
    screens_case_t c;
    static ui_screen_t s;
    if (screens_case(room, lang, name, &c) != 0) {
        fprintf(stderr, "spark-screens: %s: cannot evaluate the sample licence\n", name);
        return EXIT_FAIL;
    }
    screens_build(&c, &s);
    int status = EXIT_OK;
    int rc = ui_render(r, &s, fb, j->w, j->h, layout);
    char why[256];
    if (rc != 0) {
        fprintf(stderr, "spark-screens: %s-%s: cannot lay out: %s\n", name, ui_lang_code(lang),
                fw_strerror(rc));
        return EXIT_FAIL;
    }
    if (ui_layout_check(layout, why, sizeof why) != 0) {
        fprintf(stderr, "spark-screens: %s-%s at %ux%u does not fit: %s\n", name,
                ui_lang_code(lang), j->w, j->h, why);
        status = EXIT_FAIL;
    }
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s-%s.png", j->out, name, ui_lang_code(lang));
    if (n < 0 || (size_t)n >= sizeof path) {
        fprintf(stderr, "spark-screens: --out: path too long\n");
        return EXIT_FAIL;
    }
    if ((rc = sim_png_write(path, fb, j->w, j->h, false)) != 0) {
        fprintf(stderr, "spark-screens: cannot write %s: %s\n", path, fw_strerror(rc));
        return EXIT_FAIL;
    }
    printf("%s\n", path);
    return status;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"locale", required_argument, NULL, 'l'},
        {"size", required_argument, NULL, 's'},
        {"screen", required_argument, NULL, 'n'},
        {"model", required_argument, NULL, 'm'},
        {"serial", required_argument, NULL, 'S'},
        {"trial", required_argument, NULL, 't'},
        {"return-url", required_argument, NULL, 'u'},
        {"font", required_argument, NULL, 'f'},
        {"font-bold", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    job_t job = {.out = NULL, .w = 1280, .h = 720};
    screens_room_t room;
    screens_room_default(&room);
    const char *font = FONT_DEFAULT, *bold = FONT_BOLD_DEFAULT;
    bool langs[UI_LANG_COUNT] = {true, true};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        ui_lang_t lang;
        switch (c) {
        case 'o': job.out = optarg; break;
        case 'l':
            if (ui_lang_parse(optarg, &lang) != 0) {
                fprintf(stderr, "spark-screens: --locale: expected en or de, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            memset(langs, 0, sizeof langs);
            langs[lang] = true;
            break;
        case 's':
            if (parse_size(optarg, &job.w, &job.h) != 0) {
                fprintf(stderr,
                        "spark-screens: --size: expected WIDTHxHEIGHT like 1920x1080 (%d..%d), "
                        "got '%s'\n",
                        SCREEN_SIZE_MIN, SCREEN_SIZE_MAX, optarg);
                return EXIT_USAGE;
            }
            break;
        case 'n':
            if (!known_screen(optarg)) {
                fprintf(stderr,
                        "spark-screens: --screen: unknown screen '%s' (expected setup, home, "
                        "expiring, last-day, grace, ended, call-blocked, return, about, paid)\n",
                        optarg);
                return EXIT_USAGE;
            }
            if (job.n_only < SCREENS_COUNT) {
                job.only[job.n_only++] = optarg;
            }
            break;
        case 'm': room.model = optarg; break;
        case 'S': room.serial = optarg; break;
        case 't': room.trial = optarg; break;
        case 'u': room.return_url = optarg; break;
        case 'f': font = optarg; break;
        case 'F': bold = optarg; break;
        case 'h': usage(stdout); return EXIT_OK;
        case 'V': printf("spark-screens %s\n", SPARK_VERSION); return EXIT_OK;
        default:
            fprintf(stderr, "spark-screens: unknown option or missing value in '%s'; try --help\n",
                    argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "spark-screens: unexpected argument '%s'; try --help\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!job.out) {
        fprintf(stderr, "spark-screens: --out DIR is required; try --help\n");
        return EXIT_USAGE;
    }
    if (mkdir(job.out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "spark-screens: --out: cannot create %s: %s\n", job.out, strerror(errno));
        return EXIT_FAIL;
    }
    ui_renderer_t *r = ui_renderer_open(font, bold);
    if (!r) {
        fprintf(stderr, "spark-screens: cannot load the font %s\n", font);
        return EXIT_FAIL;
    }
    uint8_t *fb = malloc((size_t)job.w * job.h * 3);
    ui_layout_t *layout = malloc(sizeof *layout);
    const bool ready = fb && layout;
    int status = ready ? EXIT_OK : EXIT_FAIL;
    for (unsigned l = 0; ready && l < UI_LANG_COUNT; l++) {
        for (size_t i = 0; langs[l] && i < SCREENS_COUNT; i++) {
            if (wanted(&job, screens_names[i]) &&
                one(r, &job, &room, (ui_lang_t)l, screens_names[i], fb, layout) != EXIT_OK) {
                status = EXIT_FAIL;
            }
        }
    }
    free(layout);
    free(fb);
    ui_renderer_close(r);
    return status;
}
