/*
 * trialctl.h - sub-commands of the trial support CLI.
 *
 * Each sub-command gets argv with argv[0] = its own name and returns the
 * process exit status: 0 ok/valid/allowed, 1 invalid/denied, 2 bad usage.
 */
#ifndef TRIALCTL_H
#define TRIALCTL_H

#include "proto/support.h"

enum { TRIALCTL_EXIT_OK = 0, TRIALCTL_EXIT_INVALID = 1, TRIALCTL_EXIT_USAGE = 2 };

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*usage)(void);
} trialctl_cmd_t;

int trialctl_cmd_licence(int argc, char **argv);
void trialctl_usage_licence(void);
int trialctl_cmd_call(int argc, char **argv);
void trialctl_usage_call(void);
int trialctl_cmd_device(int argc, char **argv);
void trialctl_usage_device(void);

/* A licence view or a state document (proto/support.h), as one JSON line
 * of record `r` (0, or the encoder's error, said on stderr), or as the
 * lines people read. */
int trialctl_print_json(const proto_record_t *r, const proto_support_state_t *s);
void trialctl_print_view(const proto_support_state_t *s);

#endif /* TRIALCTL_H */
