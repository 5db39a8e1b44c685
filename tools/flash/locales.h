/*
 * locales.h - the languages the endpoint has screens for: the catalogues of
 * firmware/ui (ui/lang.h), so a new translation is accepted here at once.
 */
#ifndef SPARKFLASH_LOCALES_H
#define SPARKFLASH_LOCALES_H

#include <stddef.h>

/* 0 if `locale` has the form proto_check_locale() wants ("ll" or "ll-CC")
 * and its language has screens; FW_E_INVAL with "locale: ..." in `why`. */
int sf_locale_check(const char *locale, char *why, size_t cap);

#endif /* SPARKFLASH_LOCALES_H */
