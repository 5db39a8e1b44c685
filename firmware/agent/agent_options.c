/*
 * The agent's own command-line options, shared by every board's main() so
 * that --report-interval means the same on the host board and the room board
 * and is refused with the same words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "fw/err.h"

int agent_config_option(agent_config_t *cfg, const char *name, const char *value, char *err,
                        size_t cap)
{
    if (!cfg || !name || !value) {
        return FW_E_INVAL;
    }
    const bool interval = strcmp(name, "report-interval") == 0;
    const bool page = strcmp(name, "screen-page") == 0;
    if (!interval && !page && strcmp(name, "report-batch") != 0 && strcmp(name, "drain") != 0) {
        if (err && cap) {
            (void)snprintf(err, cap, "--%s: not an agent option", name);
        }
        return FW_E_NOENT;
    }
    char *end = NULL;
    unsigned long v = strtoul(value, &end, 10);
    if (*value < '0' || *value > '9' || *end != '\0' || v > 30u * 86400u ||
        (interval && (v < 60 || 86400 % v != 0)) || (page && v == 0)) {
        if (err && cap) {
            (void)snprintf(err, cap, "--%s: expected %s, got '%s'", name,
                           interval ? "seconds from 60 to 86400 that divide a day"
                           : page   ? "a number of seconds from 1 to 2592000 (30 days)"
                                    : "a number of seconds (at most 30 days)",
                           value);
        }
        return FW_E_INVAL;
    }
    if (interval) {
        cfg->report_interval_s = (uint32_t)v;
    } else if (page) {
        cfg->screen_page_s = (uint32_t)v;
    } else if (strcmp(name, "report-batch") == 0) {
        cfg->report_batch_s = (uint32_t)v;
    } else {
        cfg->report_drain_ms = (uint32_t)v * 1000u;
    }
    return 0;
}
