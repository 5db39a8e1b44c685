/*
 * English: the screens' reference catalogue (and what any key a translation
 * lacks falls back to). Placeholders in braces: see UI_MESSAGES in ui/lang.h.
 */
#include "ui/lang.h"

const ui_catalog_t ui_catalog_en = {
    .code = "en",
    .msg =
        {
            /* Day first and the month in words: unambiguous for US and UK
             * readers alike. */
            [UI_MSG_DATE] = UI_T("{d} {month} {yyyy}"),
            [UI_MSG_DATETIME] = UI_T("{date}, {hh}:{mi} UTC"),
            [UI_MSG_MONTH_1] = UI_T("January"),
            [UI_MSG_MONTH_2] = UI_T("February"),
            [UI_MSG_MONTH_3] = UI_T("March"),
            [UI_MSG_MONTH_4] = UI_T("April"),
            [UI_MSG_MONTH_5] = UI_T("May"),
            [UI_MSG_MONTH_6] = UI_T("June"),
            [UI_MSG_MONTH_7] = UI_T("July"),
            [UI_MSG_MONTH_8] = UI_T("August"),
            [UI_MSG_MONTH_9] = UI_T("September"),
            [UI_MSG_MONTH_10] = UI_T("October"),
            [UI_MSG_MONTH_11] = UI_T("November"),
            [UI_MSG_MONTH_12] = UI_T("December"),
            [UI_MSG_THOUSANDS_SEP] = UI_T(","),

            [UI_MSG_FOOTER_SERIAL_TRIAL] = UI_T("Serial {serial} · Trial {trial}"),
            [UI_MSG_FOOTER_SERIAL] = UI_T("Serial {serial}"),
            [UI_MSG_HINT_INFO] = UI_T("Press INFO for details about this device."),
            [UI_MSG_EMERGENCY_WORK] = UI_T("Emergency calls work."),

            [UI_MSG_SETUP_TITLE] = UI_T("Setup required"),
            [UI_MSG_SETUP_NOT_PROVISIONED] = UI_T("This device has not been set up for use yet."),
            [UI_MSG_SETUP_FLASH_UNREADABLE] = UI_T("This device cannot read its own memory."),
            [UI_MSG_SETUP_PROV_INVALID] =
                UI_T("This device's setup data is damaged or incomplete."),
            [UI_MSG_SETUP_STORE_FULL] = UI_T("This device's memory is full."),
            [UI_MSG_SETUP_WHAT_TO_DO] =
                UI_T("Please contact your partner or technician and quote the "
                     "serial number below."),
            [UI_MSG_SETUP_DETAIL] = UI_T("Details for the technician: {detail}"),
            [UI_MSG_UNKNOWN] = UI_T("unknown"),

            [UI_MSG_HOME_DEFAULT_TITLE] = UI_T("Spark room system"),
            [UI_MSG_HOME_READY] = UI_T("Ready for calls and meetings."),
            [UI_MSG_HOME_NO_LICENCE] =
                UI_T("Waiting for the trial licence: calls are possible once it "
                     "has arrived."),
            [UI_MSG_BANNER_ENDS_IN] =
                UI_P("The trial ends in {n} day", "The trial ends in {n} days"),
            [UI_MSG_BANNER_ENDS_TODAY] = UI_T("The trial ends today"),
            [UI_MSG_BANNER_EXPIRING_TEXT] =
                UI_T("To keep using this room system, talk to your partner "
                     "about buying it. Touch here for details."),

            [UI_MSG_BANNER_GRACE_TITLE] = UI_T("The trial has ended"),
            [UI_MSG_BANNER_GRACE_TEXT] =
                UI_P("{n} day left to buy: contact your partner. Calls and "
                     "meetings still work until then.",
                     "{n} days left to buy: contact your partner. Calls and "
                     "meetings still work until then."),

            [UI_MSG_ENDED_TITLE] = UI_T("Services ended"),
            [UI_MSG_ENDED_TEXT] = UI_T("The trial of this room system is over: calls, meetings and "
                                       "messaging are no longer available."),
            [UI_MSG_ENDED_NUMBERS_KEPT] = UI_T("The phone numbers are kept until {date}."),
            [UI_MSG_ENDED_RETURN_NEXT] = UI_T("How to return this device is shown next."),
            [UI_MSG_BLOCKED_TITLE] = UI_T("Calling is not available"),
            [UI_MSG_BLOCKED_TEXT] = UI_T("This room system has no calling service at the moment."),
            [UI_MSG_BLOCKED_EMERGENCY] = UI_T("Emergency numbers still work."),

            [UI_MSG_RETURN_TITLE] = UI_T("Please return this device"),
            [UI_MSG_RETURN_STEP_BOX] = UI_T("1. Pack it in its original shipping box."),
            [UI_MSG_RETURN_STEP_LABEL] = UI_T("2. Attach the return label that came with it."),
            [UI_MSG_RETURN_STEP_CARRIER] = UI_T("3. Have a carrier pick it up. The return (RMA) is "
                                                "then processed."),
            [UI_MSG_RETURN_LOST] = UI_T("Lost the label or the box? Touch the button: your partner "
                                        "will have new labels sent to you."),
            [UI_MSG_RETURN_QR_CAPTION] = UI_T("Scan for the return details"),
            [UI_MSG_RETURN_ACTION] = UI_T("Request new return labels"),
            [UI_MSG_RETURN_REQUESTED] =
                UI_T("New labels requested on {date}: your partner has been "
                     "asked to send them."),

            [UI_MSG_ABOUT_TITLE] = UI_T("About this device"),
            [UI_MSG_ABOUT_TRIAL] = UI_T("Trial number {trial}"),
            [UI_MSG_ABOUT_ENDS_ON] = UI_T("The trial ends on {date}."),
            [UI_MSG_ABOUT_ENDED_ON] = UI_T("The trial ended on {date}."),
            [UI_MSG_ABOUT_PAID] = UI_T("Paid licence: no trial limits."),
            [UI_MSG_ABOUT_NO_LICENCE] = UI_T("No licence received yet."),
            [UI_MSG_ABOUT_SERVICES] = UI_T("Services:"),
            [UI_MSG_ABOUT_SERVICE_LEFT] = UI_P("{service}: {n} day left (until {date})",
                                               "{service}: {n} days left (until {date})"),
            [UI_MSG_ABOUT_SERVICE_ENDED] = UI_T("{service}: ended on {date}"),
            [UI_MSG_ABOUT_FIRMWARE] = UI_T("Firmware {version}"),
            [UI_MSG_ABOUT_LAST_REPORT] = UI_T("Last report to the service: {datetime}"),
            [UI_MSG_ABOUT_NO_REPORT] = UI_T("No report has reached the service yet."),
            [UI_MSG_ABOUT_BACK] = UI_T("HOME goes back (or wait {s} seconds)."),

            [UI_MSG_SVC_CALLING] = UI_T("Calling"),
            [UI_MSG_SVC_MEETINGS] = UI_T("Meetings"),
            [UI_MSG_SVC_MESSAGING] = UI_T("Messaging"),
            [UI_MSG_SVC_ROOM_SYSTEM] = UI_T("Room system"),
            [UI_MSG_SVC_TRAINING_CENTER] = UI_T("Training Center"),
            [UI_MSG_SVC_EVENT_CENTER] = UI_T("Event Center"),
        },
};
