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
            [UI_MSG_DATE] = UI_T("{dd}.{mm}.{yyyy}"),
            [UI_MSG_DATETIME] = UI_T("{date}, {hh}:{mi} Uhr UTC"),
            [UI_MSG_MONTH_1] = UI_T("Januar"),
            [UI_MSG_MONTH_2] = UI_T("Februar"),
            [UI_MSG_MONTH_3] = UI_T("März"),
            [UI_MSG_MONTH_4] = UI_T("April"),
            [UI_MSG_MONTH_5] = UI_T("Mai"),
            [UI_MSG_MONTH_6] = UI_T("Juni"),
            [UI_MSG_MONTH_7] = UI_T("Juli"),
            [UI_MSG_MONTH_8] = UI_T("August"),
            [UI_MSG_MONTH_9] = UI_T("September"),
            [UI_MSG_MONTH_10] = UI_T("Oktober"),
            [UI_MSG_MONTH_11] = UI_T("November"),
            [UI_MSG_MONTH_12] = UI_T("Dezember"),
            [UI_MSG_THOUSANDS_SEP] = UI_T("."),

            [UI_MSG_FOOTER_SERIAL_TRIAL] = UI_T("Seriennummer {serial} · Testversion {trial}"),
            [UI_MSG_FOOTER_SERIAL] = UI_T("Seriennummer {serial}"),
            [UI_MSG_HINT_INFO] = UI_T("Drücken Sie INFO für Angaben zu diesem Gerät."),
            [UI_MSG_EMERGENCY_WORK] = UI_T("Notrufe funktionieren."),

            [UI_MSG_SETUP_TITLE] = UI_T("Einrichtung erforderlich"),
            [UI_MSG_SETUP_NOT_PROVISIONED] = UI_T("Dieses Gerät ist noch nicht für den Einsatz "
                                                  "eingerichtet."),
            [UI_MSG_SETUP_FLASH_UNREADABLE] =
                UI_T("Dieses Gerät kann seinen Speicher nicht lesen."),
            [UI_MSG_SETUP_PROV_INVALID] =
                UI_T("Die Einrichtungsdaten dieses Geräts sind beschädigt oder "
                     "unvollständig."),
            [UI_MSG_SETUP_STORE_FULL] = UI_T("Der Speicher dieses Geräts ist voll."),
            [UI_MSG_SETUP_WHAT_TO_DO] =
                UI_T("Bitte wenden Sie sich an Ihren Partner oder Techniker und "
                     "nennen Sie die Seriennummer unten."),
            [UI_MSG_SETUP_DETAIL] = UI_T("Angaben für den Techniker: {detail}"),
            [UI_MSG_UNKNOWN] = UI_T("unbekannt"),

            [UI_MSG_HOME_DEFAULT_TITLE] = UI_T("Spark-Raumsystem"),
            [UI_MSG_HOME_READY] = UI_T("Bereit für Anrufe und Meetings."),
            [UI_MSG_HOME_NO_LICENCE] =
                UI_T("Die Lizenz der Testversion ist noch nicht eingetroffen: "
                     "Anrufe sind erst danach möglich."),
            [UI_MSG_BANNER_ENDS_IN] =
                UI_P("Die Testversion endet in {n} Tag", "Die Testversion endet in {n} Tagen"),
            [UI_MSG_BANNER_ENDS_TODAY] = UI_T("Die Testversion endet heute"),
            [UI_MSG_BANNER_EXPIRING_TEXT] =
                UI_T("Damit Sie dieses Raumsystem weiter nutzen können, "
                     "sprechen Sie mit Ihrem Partner über den Kauf. Für "
                     "Details hier berühren."),

            [UI_MSG_BANNER_GRACE_TITLE] = UI_T("Die Testversion ist abgelaufen"),
            [UI_MSG_BANNER_GRACE_TEXT] =
                UI_P("Noch {n} Tag zum Kaufen: Wenden Sie sich an Ihren "
                     "Partner. Bis dahin funktionieren Anrufe und Meetings "
                     "weiter.",
                     "Noch {n} Tage zum Kaufen: Wenden Sie sich an Ihren "
                     "Partner. Bis dahin funktionieren Anrufe und Meetings "
                     "weiter."),

            [UI_MSG_ENDED_TITLE] = UI_T("Dienste beendet"),
            [UI_MSG_ENDED_TEXT] = UI_T("Die Testversion dieses Raumsystems ist beendet: Anrufe, "
                                       "Meetings und Nachrichten stehen nicht mehr zur Verfügung."),
            [UI_MSG_ENDED_NUMBERS_KEPT] =
                UI_T("Die Telefonnummern bleiben bis zum {date} erhalten."),
            [UI_MSG_ENDED_RETURN_NEXT] =
                UI_T("Wie Sie dieses Gerät zurücksenden, sehen Sie gleich."),
            [UI_MSG_BLOCKED_TITLE] = UI_T("Anrufe sind nicht verfügbar"),
            [UI_MSG_BLOCKED_TEXT] = UI_T("Dieses Raumsystem hat zurzeit keinen Anrufdienst."),
            [UI_MSG_BLOCKED_EMERGENCY] = UI_T("Notrufnummern funktionieren weiterhin."),

            [UI_MSG_RETURN_TITLE] = UI_T("Bitte senden Sie dieses Gerät zurück"),
            [UI_MSG_RETURN_STEP_BOX] = UI_T("1. Verpacken Sie es im originalen Versandkarton."),
            [UI_MSG_RETURN_STEP_LABEL] =
                UI_T("2. Bringen Sie den mitgelieferten Retourenaufkleber an."),
            [UI_MSG_RETURN_STEP_CARRIER] =
                UI_T("3. Beauftragen Sie einen Versanddienstleister mit der "
                     "Abholung. Danach wird die Rücksendung (RMA) "
                     "bearbeitet."),
            [UI_MSG_RETURN_LOST] =
                UI_T("Aufkleber oder Karton verloren? Berühren Sie die Schaltfläche: "
                     "Ihr Partner lässt Ihnen neue Aufkleber zusenden."),
            [UI_MSG_RETURN_QR_CAPTION] = UI_T("Scannen für Details zur Rücksendung"),
            [UI_MSG_RETURN_ACTION] = UI_T("Neue Retourenaufkleber anfordern"),
            [UI_MSG_RETURN_REQUESTED] =
                UI_T("Neue Aufkleber am {date} angefordert: Ihr Partner wurde "
                     "gebeten, sie zu senden."),

            [UI_MSG_ABOUT_TITLE] = UI_T("Über dieses Gerät"),
            [UI_MSG_ABOUT_TRIAL] = UI_T("Nummer der Testversion: {trial}"),
            [UI_MSG_ABOUT_ENDS_ON] = UI_T("Die Testversion endet am {date}."),
            [UI_MSG_ABOUT_ENDED_ON] = UI_T("Die Testversion ist am {date} abgelaufen."),
            [UI_MSG_ABOUT_PAID] = UI_T("Gekaufte Lizenz: ohne Testzeitraum."),
            [UI_MSG_ABOUT_NO_LICENCE] = UI_T("Noch keine Lizenz erhalten."),
            [UI_MSG_ABOUT_SERVICES] = UI_T("Dienste:"),
            [UI_MSG_ABOUT_SERVICE_LEFT] = UI_P("{service}: noch {n} Tag (bis {date})",
                                               "{service}: noch {n} Tage (bis {date})"),
            [UI_MSG_ABOUT_SERVICE_ENDED] = UI_T("{service}: am {date} abgelaufen"),
            [UI_MSG_ABOUT_FIRMWARE] = UI_T("Firmware {version}"),
            [UI_MSG_ABOUT_LAST_REPORT] = UI_T("Letzter Bericht an den Dienst: {datetime}"),
            [UI_MSG_ABOUT_NO_REPORT] = UI_T("Noch kein Bericht beim Dienst angekommen."),
            [UI_MSG_ABOUT_BACK] = UI_T("Mit HOME zurück (oder {s} Sekunden warten)."),

            [UI_MSG_SVC_CALLING] = UI_T("Anrufe"),
            [UI_MSG_SVC_MEETINGS] = UI_T("Meetings"),
            [UI_MSG_SVC_MESSAGING] = UI_T("Nachrichten"),
            [UI_MSG_SVC_ROOM_SYSTEM] = UI_T("Raumsystem"),
            [UI_MSG_SVC_TRAINING_CENTER] = UI_T("Training Center"),
            [UI_MSG_SVC_EVENT_CENTER] = UI_T("Event Center"),
        },
};
