#include "locales.h"

#include <stdio.h>

#include "fw/err.h"
#include "proto/provisioning.h"
#include "ui/lang.h"

int sf_locale_check(const char *locale, char *why, size_t cap)
{
    int rc = proto_check_locale(locale, why, cap);
    if (rc != 0) {
        return rc;
    }
    char known[64];
    if (ui_lang_has_catalogue(locale, known, sizeof known)) {
        return 0;
    }
    (void)snprintf(why, cap,
                   "locale: the endpoint has no screens in '%.2s'; expected one of %s "
                   "(optionally with a region, e.g. de-DE)",
                   locale, known);
    return FW_E_INVAL;
}
