/*
 * agent/agent.h - the agent's main loop, as a board's main() calls it.
 *
 * The board's main parses its own options, brings the HAL up, then calls
 * agent_run(). The agent reads everything else (provisioning, licence,
 * history) from flash through the store.
 */
#ifndef AGENT_AGENT_H
#define AGENT_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes of spark-agent (sysexits.h values where one fits). */
#define AGENT_EXIT_OK 0
#define AGENT_EXIT_FAILURE 1        /* flash or other I/O failed, power cut */
#define AGENT_EXIT_USAGE 64         /* EX_USAGE: bad command line */
#define AGENT_EXIT_UNPROVISIONED 78 /* EX_CONFIG: no usable provisioning */

typedef struct {
    int64_t run_for_s;          /* stop after this many device seconds; <= 0: until stopped */
    const char *font_path;      /* TrueType font for the screen; NULL: no text */
    const char *font_bold_path; /* its bold face; NULL: bold text in the regular face */
    const char *version;        /* firmware version for the about screen; NULL: unknown */
    uint32_t screen_page_s;     /* lapsed: "services ended" and the return instructions
                                   alternate every this many seconds; 0: the default */
    uint32_t report_interval_s; /* usage interval; 0: hourly */
    uint32_t report_batch_s;    /* how long usage may wait to be sent; 0: at once */
    uint32_t report_drain_ms;   /* at a planned stop, network time to send what is queued */
    const char *support_listen; /* the support port's "ADDR:PORT" (docs/SUPPORT.md); NULL: off */
} agent_config_t;

#define AGENT_REPORT_BATCH_DEFAULT_S (4u * 3600u) /* docs/REPORTING.md: session policy */
#define AGENT_SCREEN_PAGE_DEFAULT_S 30u /* long enough to read one, short enough to wait */

/* Set one of the agent's own options by its flag name without dashes:
 * "report-interval" (seconds, 60..86400, dividing a day), "report-batch" or
 * "drain" (seconds, at most 30 days), "screen-page" (seconds, 1 to 30 days). 0; FW_E_NOENT for
 * another name; FW_E_INVAL for a bad value, with "--NAME: expected ..., got '...'" in err. */
int agent_config_option(agent_config_t *cfg, const char *name, const char *value, char *err,
                        size_t cap);

/* Run until the configured time has passed or the board asks to stop.
 * Returns one of the AGENT_EXIT_* codes. */
int agent_run(const agent_config_t *cfg);

#endif /* AGENT_AGENT_H */
