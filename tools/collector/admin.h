/*
 * admin.h - what the admin commands share (admin.c: enroll, licence, show,
 * totals; admin_trial.c: everything by trial number, printed by
 * admin_trial_print.c).
 */
#ifndef COLLECTOR_ADMIN_H
#define COLLECTOR_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

typedef int (*admin_fn_t)(cdb_t *db, int argc, char **argv);

/* admin_trial.c */
int admin_cmd_trial(cdb_t *db, int argc, char **argv);
int admin_cmd_trials(cdb_t *db, int argc, char **argv);
int admin_cmd_new_trial(cdb_t *db, int argc, char **argv);
int admin_cmd_extend(cdb_t *db, int argc, char **argv);
int admin_cmd_add_service(cdb_t *db, int argc, char **argv);
int admin_cmd_convert(cdb_t *db, int argc, char **argv);
int admin_cmd_keep(cdb_t *db, int argc, char **argv);

/* The usage totals as `totals` prints them: records, each counter of the
 * usage table summed (and <name>_max for those merged by maximum), the
 * time span, generations, events. Returns how many of `f` are filled. */
typedef struct {
    char name[48];
    int64_t v;
} admin_total_t;
#define ADMIN_TOTALS_MAX (2 * CDB_TOTALS_MAX + 8)
size_t admin_totals_list(const cdb_totals_t *t, int64_t events, admin_total_t *f);
/* `t` added to `sum` (the totals of several endpoints). */
void admin_totals_add(cdb_totals_t *sum, const cdb_totals_t *t);

/* The totals of `serial` with its event count; 0 or FW_E_*. */
int admin_totals_of(cdb_t *db, const char *serial, cdb_totals_t *t, int64_t *events);

#endif /* COLLECTOR_ADMIN_H */
