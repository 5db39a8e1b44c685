/*
 * Emergency numbers by region: the one place they are written down.
 * docs/EMERGENCY.md shows the same rows with their sources and the date they
 * were checked (CALLING_CHECKED); test_calling_regions holds the two
 * together. A number that still reaches an emergency service (an old short
 * code now routed to the new one) stays listed: a wrongly blocked emergency
 * call costs more than a wrongly allowed short code.
 */
#include <stddef.h>

#include "calling/policy.h"

/* ITU-T E.161.1 names 112 and 911 as the two harmonised emergency numbers;
 * GSM-era handsets and visitors dial them wherever they are. */
static const char *const s_everywhere[] = {"112", "911"};

/* Sources: one page per region that names these numbers (docs/EMERGENCY.md
 * adds what else was read); all checked on CALLING_CHECKED. */
static const calling_region_t s_regions[] = {
    {"US", "United States", {"911"}, "https://en.wikipedia.org/wiki/9-1-1"},
    {"CA", "Canada", {"911"}, "https://en.wikipedia.org/wiki/9-1-1"},
    {"MX",
     "Mexico",
     {"911", "066"},
     "https://mexiconewsdaily.com/news/911-roll-out-wraps-up-in-32-states-monday/"},
    {"GB",
     "United Kingdom",
     {"999", "112"},
     "http://govwire.co.uk/news/department-of-health/"
     "guidance-999-and-112-the-uks-national-emergency-numbers-54549"},
    {"IE",
     "Ireland",
     {"999", "112"},
     "https://www.dccae.gov.ie/en-ie/communications/programmes-and-schemes/Pages/"
     "Emergency-Call-Answering-Service.aspx"},
    {"DE", "Germany", {"110", "112"}, "https://www.polizei.bremerhaven.de/notruf-110-232.html"},
    {"AT",
     "Austria",
     {"112", "122", "133", "140", "144"},
     "https://www.thelocal.at/20140903/17-million-emergency-calls-in-first-half-of-2014"},
    {"CH",
     "Switzerland",
     {"112", "117", "118", "144", "145", "1414"},
     "https://www.iamexpat.ch/expat-info/swiss-emergency-numbers-services/117-118-144-numbers"},
    {"FR",
     "France",
     {"112", "15", "17", "18", "114", "115", "119", "191", "196"},
     "https://www.service-public.fr/particuliers/vosdroits/F33954"},
    {"IT", "Italy", {"112", "113", "115", "118", "1530"}, "https://www.nue112er.it/en"},
    {"ES",
     "Spain",
     {"112", "061", "062", "080", "085", "091", "092"},
     "https://thepost.es/emergency-contacts-and-what-to-do-in-case-of-a-crisis-in-spain"},
    {"NL",
     "Netherlands",
     {"112"},
     "http://ec.europa.eu/information_society/activities/112/actions/index_en.htm"},
    {"BE",
     "Belgium",
     {"112", "100", "101"},
     "https://brusselstimes.com/1437508/"
     "european-112-day-what-to-do-during-an-emergency-in-belgium"},
    {"SE",
     "Sweden",
     {"112"},
     "http://ec.europa.eu/information_society/activities/112/actions/index_en.htm"},
    {"NO", "Norway", {"110", "112", "113"}, "https://www.hamar.kommune.no/article28044-4248.html"},
    {"DK",
     "Denmark",
     {"112"},
     "http://ec.europa.eu/information_society/activities/112/actions/index_en.htm"},
    {"FI",
     "Finland",
     {"112"},
     "http://ec.europa.eu/information_society/activities/112/actions/index_en.htm"},
    {"PL",
     "Poland",
     {"112", "997", "998", "999"},
     "https://www.wroclaw.info-migrator.pl/en/news-wr/1063-2016-2-wr-en/"
     "2606-safety-basic-information-en-wr"},
    {"AU",
     "Australia",
     {"000", "112", "106"},
     "https://www.triplezero.gov.au/triple-zero/other-emergency-numbers"},
    {"NZ", "New Zealand", {"111"}, "https://www.police.govt.nz/contact-us/calling-emergency-111"},
    {"JP", "Japan", {"110", "118", "119"}, "https://www.sir.or.jp/en/fls/useful/detail/id=123"},
    {"KR",
     "South Korea",
     {"112", "119", "122"},
     "https://citiesinsider.com/country/south-korea/CountryWide/emergency-contact-numbers"},
    {"CN",
     "China",
     {"110", "119", "120", "122", "999"},
     "https://www.cultureyard.net/blog/emergency-numbers-in-china"},
    {"IN",
     "India",
     {"112", "100", "101", "102", "108"},
     "https://www.indiafilings.com/learn/emergency-response-support-system/"},
    {"BR",
     "Brazil",
     {"190", "192", "193", "199"},
     "https://www.natgeoultimateexplorer.com.mx/articles/"
     "numero-da-policia-no-brasil-o-que-ninguem-te-explica-direito-672010"},
    {"ZA",
     "South Africa",
     {"10111", "10177", "107", "112"},
     "https://mybroadband.co.za/news/telecoms/"
     "568418-south-africa-could-say-goodbye-to-10111-and-other-emergency-numbers.html"},
    {"SG",
     "Singapore",
     {"999", "995"},
     "https://www.askexplorer.com/singapore/residents/about/essential-info/in-emergency"},
    {"HK",
     "Hong Kong",
     {"999", "112"},
     "https://gypsywarrior.com/emergency-services-what-to-know-while-in-hong-kong/"},
};

size_t calling_region_count(void)
{
    return sizeof s_regions / sizeof s_regions[0];
}

const calling_region_t *calling_region_at(size_t i)
{
    return i < calling_region_count() ? &s_regions[i] : NULL;
}

const char *const *calling_everywhere(size_t *count)
{
    if (count) {
        *count = sizeof s_everywhere / sizeof s_everywhere[0];
    }
    return s_everywhere;
}
