/*
 * locales.h - the languages the endpoint has screens for. The one list the
 * flashing tool checks --locale against; extend it when firmware/ui gains a
 * translation.
 */
#ifndef SPARKFLASH_LOCALES_H
#define SPARKFLASH_LOCALES_H

#include <stddef.h>

/* 0 if `locale` has the form proto_check_locale() wants ("ll" or "ll-CC")
 * and its language has screens; FW_E_INVAL with "locale: ..." in `why`. */
int sf_locale_check(const char *locale, char *why, size_t cap);

#endif /* SPARKFLASH_LOCALES_H */
