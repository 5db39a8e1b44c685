/*
 * agent_support.h - the agent's side of the support port (internal to
 * agent/; docs/SUPPORT.md).
 *
 * Glue only: opens link/support_server.h on the address the board gave,
 * with the provisioned support PSK, and answers its questions from what
 * the trial and report glue hold (support/state.h builds the document).
 * The loop steps it between its other work; it never waits.
 */
#ifndef AGENT_SUPPORT_H
#define AGENT_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "agent_report.h"
#include "agent_trial.h"
#include "link/support_server.h"
#include "proto/provisioning.h"

typedef struct {
    support_server_t *server; /* NULL: the port is off */
    store_t *store;
    const proto_provisioning_t *prov;
    agent_trial_t *trial;
    agent_report_t *report;
    unsigned problems_seen;  /* fw_log_last_problem()'s count when last looked */
    int64_t last_problem_at; /* trusted time it changed */
} agent_support_t;

/* Open the port on `listen` ("ADDR:PORT"; NULL or "" = off). Never fails:
 * without a support PSK, or when the address cannot be bound, the port
 * stays off and the log says why. */
void agent_support_open(agent_support_t *s, const char *listen, store_t *store,
                        const proto_provisioning_t *prov, agent_trial_t *trial,
                        agent_report_t *report);

/* True while the port is open (the loop then spends its idle time in
 * slices, stepping it). */
bool agent_support_active(const agent_support_t *s);

/* One I/O step of the port (a bounded number of datagrams; never waits). */
void agent_support_step(agent_support_t *s);

/* Close the port; one log line with what it answered. */
void agent_support_close(agent_support_t *s);

#endif /* AGENT_SUPPORT_H */
