/*
 * Emergency numbers by region. Sources: ITU-T E.161.1 (112 and 911 as the
 * harmonised codes), the EU's 112 directive, and each country's published
 * short codes. 112 and 911 are allowed everywhere: GSM-era handsets and
 * visitors dial them regardless of country, and a wrongly blocked emergency
 * call costs more than a wrongly allowed short code.
 */
#include "calling/policy.h"

#include <stddef.h>
#include <string.h>

typedef struct {
    const char *region;
    const char *numbers[8];
} region_numbers_t;

static const char *const s_everywhere[] = {"112", "911"};

static const region_numbers_t s_regions[] = {
    {"US", {"911"}},
    {"CA", {"911"}},
    {"MX", {"911", "065", "066"}},
    {"GB", {"999", "112"}},
    {"IE", {"999", "112"}},
    {"DE", {"112", "110"}},
    {"AT", {"112", "122", "133", "144"}},
    {"CH", {"112", "117", "118", "144"}},
    {"FR", {"112", "15", "17", "18", "114", "115"}},
    {"IT", {"112", "113", "115", "118"}},
    {"ES", {"112", "091", "092", "061", "080"}},
    {"NL", {"112"}},
    {"BE", {"112", "101", "100"}},
    {"SE", {"112"}},
    {"NO", {"112", "110", "113"}},
    {"DK", {"112"}},
    {"FI", {"112"}},
    {"PL", {"112", "997", "998", "999"}},
    {"AU", {"000", "112", "106"}},
    {"NZ", {"111"}},
    {"JP", {"110", "119", "118"}},
    {"KR", {"112", "119"}},
    {"CN", {"110", "119", "120", "122"}},
    {"IN", {"112", "100", "101", "102", "108"}},
    {"BR", {"190", "192", "193"}},
    {"ZA", {"10111", "10177", "112"}},
    {"SG", {"999", "995"}},
    {"HK", {"999"}},
};

/* Copies the dialable characters of `in` (digits, '+', '*', '#') into out. */
static bool normalise(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; in && *in; in++) {
        char c = *in;
        if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') {
            continue;
        }
        if (!((c >= '0' && c <= '9') || c == '+' || c == '*' || c == '#') || n + 1 >= cap) {
            return false;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return n > 0;
}

static bool in_list(const char *const *list, size_t n, const char *number)
{
    for (size_t i = 0; i < n && list[i]; i++) {
        if (strcmp(list[i], number) == 0) {
            return true;
        }
    }
    return false;
}

bool calling_is_emergency(const char *region, const char *number)
{
    char num[24];
    if (!normalise(number, num, sizeof num)) {
        return false;
    }
    if (in_list(s_everywhere, sizeof s_everywhere / sizeof *s_everywhere, num)) {
        return true;
    }
    const size_t n_regions = sizeof s_regions / sizeof *s_regions;
    bool known = false;
    for (size_t i = 0; i < n_regions; i++) {
        bool this_region = region && strcmp(s_regions[i].region, region) == 0;
        known = known || this_region;
        if (this_region && in_list(s_regions[i].numbers, 8, num)) {
            return true;
        }
    }
    if (known) {
        return false;
    }
    /* Unknown region: fail safe, every region's numbers count. */
    for (size_t i = 0; i < n_regions; i++) {
        if (in_list(s_regions[i].numbers, 8, num)) {
            return true;
        }
    }
    return false;
}

calling_verdict_t calling_decide(calling_mode_t mode, const char *region, const char *number)
{
    calling_verdict_t v;
    v.emergency = calling_is_emergency(region, number);
    v.allow = mode == CALLING_MODE_FULL || v.emergency;
    return v;
}
