#include "locales.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"
#include "proto/provisioning.h"

/* Languages with screens in firmware/ui. A region suffix (de-AT) picks the
 * same screens, so only the language is listed. */
static const char *const s_screen_languages[] = {"en", "de"};

int sf_locale_check(const char *locale, char *why, size_t cap)
{
    int rc = proto_check_locale(locale, why, cap);
    if (rc != 0) {
        return rc;
    }
    char list[64] = "";
    for (size_t i = 0; i < sizeof s_screen_languages / sizeof s_screen_languages[0]; i++) {
        if (strncmp(locale, s_screen_languages[i], 2) == 0) {
            return 0;
        }
        size_t used = strlen(list);
        (void)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                       s_screen_languages[i]);
    }
    (void)snprintf(why, cap,
                   "locale: the endpoint has no screens in '%.2s'; expected one of %s "
                   "(optionally with a region, e.g. de-DE)",
                   locale, list);
    return FW_E_INVAL;
}
