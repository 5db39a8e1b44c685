/*
 * Deutsch: Texte für die Bildschirme im Raum, in der Sie-Form wie die
 * Partnerleitfäden. Platzhalter in geschweiften Klammern: siehe UI_MESSAGES
 * in ui/lang.h.
 */
#include "ui/lang.h"

const ui_catalog_t ui_catalog_de = {
    .code = "de",
    .msg =
        {
            [UI_MSG_DATE] = {"{dd}.{mm}.{yyyy}"},
            [UI_MSG_DATETIME] = {"{date}, {hh}:{mi} Uhr UTC"},
            [UI_MSG_MONTH_1] = {"Januar"},
            [UI_MSG_MONTH_2] = {"Februar"},
            [UI_MSG_MONTH_3] = {"März"},
            [UI_MSG_MONTH_4] = {"April"},
            [UI_MSG_MONTH_5] = {"Mai"},
            [UI_MSG_MONTH_6] = {"Juni"},
            [UI_MSG_MONTH_7] = {"Juli"},
            [UI_MSG_MONTH_8] = {"August"},
            [UI_MSG_MONTH_9] = {"September"},
            [UI_MSG_MONTH_10] = {"Oktober"},
            [UI_MSG_MONTH_11] = {"November"},
            [UI_MSG_MONTH_12] = {"Dezember"},
            [UI_MSG_THOUSANDS_SEP] = {"."},

            [UI_MSG_FOOTER_SERIAL_TRIAL] = {"Seriennummer {serial} · Testversion {trial}"},
            [UI_MSG_FOOTER_SERIAL] = {"Seriennummer {serial}"},
            [UI_MSG_HINT_INFO] = {"Drücken Sie INFO für Angaben zu diesem Gerät."},
            [UI_MSG_EMERGENCY_WORK] = {"Notrufe funktionieren."},

            [UI_MSG_SETUP_TITLE] = {"Einrichtung erforderlich"},
            [UI_MSG_SETUP_NOT_PROVISIONED] = {"Dieses Gerät ist noch nicht für den Einsatz "
                                              "eingerichtet."},
            [UI_MSG_SETUP_FLASH_UNREADABLE] = {"Dieses Gerät kann seinen Speicher nicht lesen."},
            [UI_MSG_SETUP_PROV_INVALID] =
                {"Die Einrichtungsdaten dieses Geräts sind beschädigt oder "
                 "unvollständig."},
            [UI_MSG_SETUP_WHAT_TO_DO] =
                {"Bitte wenden Sie sich an Ihren Partner oder Techniker und "
                 "nennen Sie die Seriennummer unten."},
            [UI_MSG_SETUP_DETAIL] = {"Angaben für den Techniker: {detail}"},
            [UI_MSG_UNKNOWN] = {"unbekannt"},

            [UI_MSG_HOME_DEFAULT_TITLE] = {"Spark-Raumsystem"},
            [UI_MSG_HOME_READY] = {"Bereit für Anrufe und Meetings."},
            [UI_MSG_HOME_NO_LICENCE] = {"Die Lizenz der Testversion ist noch nicht eingetroffen: "
                                        "Anrufe sind erst danach möglich."},
            [UI_MSG_BANNER_ENDS_IN] = {"Die Testversion endet in {n} Tag",
                                       "Die Testversion endet in {n} Tagen"},
            [UI_MSG_BANNER_ENDS_TODAY] = {"Die Testversion endet heute"},
            [UI_MSG_BANNER_EXPIRING_TEXT] = {"Damit Sie dieses Raumsystem weiter nutzen können, "
                                             "sprechen Sie mit Ihrem Partner über den Kauf. Für "
                                             "Details hier berühren."},

            [UI_MSG_BANNER_GRACE_TITLE] = {"Die Testversion ist abgelaufen"},
            [UI_MSG_BANNER_GRACE_TEXT] = {"Noch {n} Tag zum Kaufen: Wenden Sie sich an Ihren "
                                          "Partner. Bis dahin funktionieren Anrufe und Meetings "
                                          "weiter.",
                                          "Noch {n} Tage zum Kaufen: Wenden Sie sich an Ihren "
                                          "Partner. Bis dahin funktionieren Anrufe und Meetings "
                                          "weiter."},

            [UI_MSG_ENDED_TITLE] = {"Dienste beendet"},
            [UI_MSG_ENDED_TEXT] = {"Die Testversion dieses Raumsystems ist beendet: Anrufe, "
                                   "Meetings und Nachrichten stehen nicht mehr zur Verfügung."},
            [UI_MSG_ENDED_NUMBERS_KEPT] = {"Die Telefonnummern bleiben bis zum {date} erhalten."},
            [UI_MSG_ENDED_RETURN_NEXT] = {"Wie Sie dieses Gerät zurücksenden, sehen Sie gleich."},
            [UI_MSG_BLOCKED_TITLE] = {"Anrufe sind nicht verfügbar"},
            [UI_MSG_BLOCKED_TEXT] = {"Dieses Raumsystem hat zurzeit keinen Anrufdienst."},
            [UI_MSG_BLOCKED_EMERGENCY] = {"Notrufnummern funktionieren weiterhin."},

            [UI_MSG_RETURN_TITLE] = {"Bitte senden Sie dieses Gerät zurück"},
            [UI_MSG_RETURN_STEP_BOX] = {"1. Verpacken Sie es im originalen Versandkarton."},
            [UI_MSG_RETURN_STEP_LABEL] =
                {"2. Bringen Sie den mitgelieferten Retourenaufkleber an."},
            [UI_MSG_RETURN_STEP_CARRIER] = {"3. Beauftragen Sie einen Versanddienstleister mit der "
                                            "Abholung. Danach wird die Rücksendung (RMA) "
                                            "bearbeitet."},
            [UI_MSG_RETURN_LOST] =
                {"Aufkleber oder Karton verloren? Berühren Sie die Schaltfläche: "
                 "Ihr Partner lässt Ihnen neue Aufkleber zusenden."},
            [UI_MSG_RETURN_QR_CAPTION] = {"Scannen für Details zur Rücksendung"},
            [UI_MSG_RETURN_ACTION] = {"Neue Retourenaufkleber anfordern"},
            [UI_MSG_RETURN_REQUESTED] = {"Neue Aufkleber am {date} angefordert: Ihr Partner wurde "
                                         "gebeten, sie zu senden."},

            [UI_MSG_ABOUT_TITLE] = {"Über dieses Gerät"},
            [UI_MSG_ABOUT_TRIAL] = {"Nummer der Testversion: {trial}"},
            [UI_MSG_ABOUT_ENDS_ON] = {"Die Testversion endet am {date}."},
            [UI_MSG_ABOUT_ENDED_ON] = {"Die Testversion ist am {date} abgelaufen."},
            [UI_MSG_ABOUT_PAID] = {"Gekaufte Lizenz: ohne Testzeitraum."},
            [UI_MSG_ABOUT_NO_LICENCE] = {"Noch keine Lizenz erhalten."},
            [UI_MSG_ABOUT_SERVICES] = {"Dienste:"},
            [UI_MSG_ABOUT_SERVICE_LEFT] = {"{service}: noch {n} Tag (bis {date})",
                                           "{service}: noch {n} Tage (bis {date})"},
            [UI_MSG_ABOUT_SERVICE_ENDED] = {"{service}: am {date} abgelaufen"},
            [UI_MSG_ABOUT_FIRMWARE] = {"Firmware {version}"},
            [UI_MSG_ABOUT_LAST_REPORT] = {"Letzter Bericht an den Dienst: {datetime}"},
            [UI_MSG_ABOUT_NO_REPORT] = {"Noch kein Bericht beim Dienst angekommen."},
            [UI_MSG_ABOUT_BACK] = {"Mit HOME zurück (oder {s} Sekunden warten)."},

            [UI_MSG_SVC_CALLING] = {"Anrufe"},
            [UI_MSG_SVC_MEETINGS] = {"Meetings"},
            [UI_MSG_SVC_MESSAGING] = {"Nachrichten"},
            [UI_MSG_SVC_ROOM_SYSTEM] = {"Raumsystem"},
            [UI_MSG_SVC_TRAINING_CENTER] = {"Training Center"},
            [UI_MSG_SVC_EVENT_CENTER] = {"Event Center"},
        },
};
