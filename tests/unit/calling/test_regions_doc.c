/*
 * docs/EMERGENCY.md and firmware/calling/regions.c are the same table: every
 * row of the document is a region of the code with the same numbers, source
 * and check date, and every region of the code has its row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calling/policy.h"

#define CELLS 6

/* Splits "| a | b | ... |" into trimmed cells; returns how many. */
static int cells(char *line, char *out[CELLS])
{
    int n = 0;
    char *p = strchr(line, '|');
    while (p && n < CELLS) {
        char *start = p + 1;
        char *end = strchr(start, '|');
        if (!end) {
            break;
        }
        *end = '\0';
        while (*start == ' ') {
            start++;
        }
        for (char *t = end - 1; t >= start && *t == ' '; t--) {
            *t = '\0';
        }
        out[n++] = start;
        p = end;
    }
    return n;
}

static void numbers_of(const calling_region_t *r, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < CALLING_REGION_NUMBERS && r->numbers[i]; i++) {
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", r->numbers[i]);
    }
}

static void test_document_matches_code(void **state)
{
    (void)state;
    FILE *f = fopen(EMERGENCY_MD, "r");
    assert_non_null(f);
    char line[1024];
    bool seen[64] = {false};
    size_t rows = 0;
    assert_true(calling_region_count() <= 64);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c[CELLS];
        /* a region row: "| CC | ..." with CC two capitals */
        if (strncmp(line, "| ", 2) != 0 || line[2] < 'A' || line[2] > 'Z' || line[3] < 'A' ||
            line[3] > 'Z' || line[4] != ' ' || cells(line, c) != 5) {
            continue;
        }
        rows++;
        size_t i = 0;
        while (i < calling_region_count() && strcmp(calling_region_at(i)->region, c[0]) != 0) {
            i++;
        }
        if (i == calling_region_count()) {
            fail_msg("docs/EMERGENCY.md lists %s, which regions.c does not have", c[0]);
        }
        const calling_region_t *r = calling_region_at(i);
        char nums[256];
        numbers_of(r, nums, sizeof nums);
        if (seen[i] || strcmp(r->name, c[1]) != 0 || strcmp(nums, c[2]) != 0 ||
            strcmp(r->source, c[3]) != 0 || strcmp(CALLING_CHECKED, c[4]) != 0) {
            fail_msg("%s: docs/EMERGENCY.md says '%s' | '%s' | '%s' | '%s', regions.c '%s' | "
                     "'%s' | '%s' | '%s'%s",
                     c[0], c[1], c[2], c[3], c[4], r->name, nums, r->source, CALLING_CHECKED,
                     seen[i] ? " (listed twice)" : "");
        }
        seen[i] = true;
    }
    fclose(f);
    for (size_t i = 0; i < calling_region_count(); i++) {
        if (!seen[i]) {
            fail_msg("regions.c has %s, which docs/EMERGENCY.md does not list",
                     calling_region_at(i)->region);
        }
    }
    assert_int_equal(rows, calling_region_count());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_matches_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
