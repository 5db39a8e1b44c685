/*
 * The collector's clock source (now.h). The arithmetic and the option texts
 * are the host board's own (sim/clock.h), so a collector and its rooms can
 * only agree.
 */
#include "now.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sim/clock.h"

static sim_clock_opts_t s_opts;
static bool s_opts_init, s_given, s_started;
static sim_clock_run_t s_run;

bool collector_now_is_option(const char *name)
{
    return sim_clock_is_option(name);
}

int collector_now_option(const char *cmd, const char *name, const char *value)
{
    if (!s_opts_init) {
        sim_clock_opts_default(&s_opts);
        s_opts_init = true;
    }
    const char *expected = "";
    if (sim_clock_opts_set(&s_opts, name, value, &expected) != 0) {
        fprintf(stderr, "spark-collector %s: --%s: expected %s, got '%s'\n", cmd, name, expected,
                value != NULL ? value : "");
        return CLI_USAGE;
    }
    if (strcmp(name, "clock-rate") == 0 && s_opts.rate == 0) {
        fprintf(stderr,
                "spark-collector %s: --clock-rate 0: stepped time is the host board's alone (it "
                "moves only while an agent waits); run the collector at a rate above 0 with the "
                "rooms' --clock-start, --clock-rate and --clock-anchor (e.g. --clock-rate 86400)\n",
                cmd);
        return CLI_USAGE;
    }
    s_given = true;
    return CLI_OK;
}

void collector_now_start(void)
{
    if (s_given) {
        sim_clock_run_start(&s_run, &s_opts);
        s_started = true;
    }
}

int64_t collector_now_ms(void)
{
    if (s_started) {
        return sim_clock_run_now_ms(&s_run);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t collector_now(void)
{
    int64_t ms = collector_now_ms();
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

bool collector_now_simulated(void)
{
    return s_started;
}
