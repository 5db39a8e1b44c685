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
            [UI_MSG_DATE] = {"{d} {month} {yyyy}"},
            [UI_MSG_DATETIME] = {"{date}, {hh}:{mi} UTC"},
            [UI_MSG_MONTH_1] = {"January"},
            [UI_MSG_MONTH_2] = {"February"},
            [UI_MSG_MONTH_3] = {"March"},
            [UI_MSG_MONTH_4] = {"April"},
            [UI_MSG_MONTH_5] = {"May"},
            [UI_MSG_MONTH_6] = {"June"},
            [UI_MSG_MONTH_7] = {"July"},
            [UI_MSG_MONTH_8] = {"August"},
            [UI_MSG_MONTH_9] = {"September"},
            [UI_MSG_MONTH_10] = {"October"},
            [UI_MSG_MONTH_11] = {"November"},
            [UI_MSG_MONTH_12] = {"December"},
            [UI_MSG_THOUSANDS_SEP] = {","},

            [UI_MSG_FOOTER_SERIAL_TRIAL] = {"Serial {serial} · Trial {trial}"},
            [UI_MSG_FOOTER_SERIAL] = {"Serial {serial}"},
            [UI_MSG_HINT_INFO] = {"Press INFO for details about this device."},
            [UI_MSG_EMERGENCY_WORK] = {"Emergency calls work."},

            [UI_MSG_SETUP_TITLE] = {"Setup required"},
            [UI_MSG_SETUP_NOT_PROVISIONED] = {"This device has not been set up for use yet."},
            [UI_MSG_SETUP_FLASH_UNREADABLE] = {"This device cannot read its own memory."},
            [UI_MSG_SETUP_PROV_INVALID] = {"This device's setup data is damaged or incomplete."},
            [UI_MSG_SETUP_WHAT_TO_DO] = {"Please contact your partner or technician and quote the "
                                         "serial number below."},
            [UI_MSG_SETUP_DETAIL] = {"Details for the technician: {detail}"},
            [UI_MSG_UNKNOWN] = {"unknown"},

            [UI_MSG_HOME_DEFAULT_TITLE] = {"Spark room system"},
            [UI_MSG_HOME_READY] = {"Ready for calls and meetings."},
            [UI_MSG_HOME_NO_LICENCE] = {"Waiting for the trial licence: calls are possible once it "
                                        "has arrived."},
            [UI_MSG_BANNER_ENDS_IN] = {"The trial ends in {n} day", "The trial ends in {n} days"},
            [UI_MSG_BANNER_ENDS_TODAY] = {"The trial ends today"},
            [UI_MSG_BANNER_EXPIRING_TEXT] = {"To keep using this room system, talk to your partner "
                                             "about buying it. Touch here for details."},

            [UI_MSG_BANNER_GRACE_TITLE] = {"The trial has ended"},
            [UI_MSG_BANNER_GRACE_TEXT] = {"{n} day left to buy: contact your partner. Calls and "
                                          "meetings still work until then.",
                                          "{n} days left to buy: contact your partner. Calls and "
                                          "meetings still work until then."},

            [UI_MSG_ENDED_TITLE] = {"Services ended"},
            [UI_MSG_ENDED_TEXT] = {"The trial of this room system is over: calls, meetings and "
                                   "messaging are no longer available."},
            [UI_MSG_ENDED_NUMBERS_KEPT] = {"The phone numbers are kept until {date}."},
            [UI_MSG_ENDED_RETURN_NEXT] = {"How to return this device is shown next."},
            [UI_MSG_BLOCKED_TITLE] = {"Calling is not available"},
            [UI_MSG_BLOCKED_TEXT] = {"This room system has no calling service at the moment."},
            [UI_MSG_BLOCKED_EMERGENCY] = {"Emergency numbers still work."},

            [UI_MSG_RETURN_TITLE] = {"Please return this device"},
            [UI_MSG_RETURN_STEP_BOX] = {"1. Pack it in its original shipping box."},
            [UI_MSG_RETURN_STEP_LABEL] = {"2. Attach the return label that came with it."},
            [UI_MSG_RETURN_STEP_CARRIER] = {"3. Have a carrier pick it up. The return (RMA) is "
                                            "then processed."},
            [UI_MSG_RETURN_LOST] = {"Lost the label or the box? Touch the button: your partner "
                                    "will have new labels sent to you."},
            [UI_MSG_RETURN_QR_CAPTION] = {"Scan for the return details"},
            [UI_MSG_RETURN_ACTION] = {"Request new return labels"},
            [UI_MSG_RETURN_REQUESTED] = {"New labels requested on {date}: your partner has been "
                                         "asked to send them."},

            [UI_MSG_ABOUT_TITLE] = {"About this device"},
            [UI_MSG_ABOUT_TRIAL] = {"Trial number {trial}"},
            [UI_MSG_ABOUT_ENDS_ON] = {"The trial ends on {date}."},
            [UI_MSG_ABOUT_ENDED_ON] = {"The trial ended on {date}."},
            [UI_MSG_ABOUT_PAID] = {"Paid licence: no trial limits."},
            [UI_MSG_ABOUT_NO_LICENCE] = {"No licence received yet."},
            [UI_MSG_ABOUT_SERVICES] = {"Services:"},
            [UI_MSG_ABOUT_SERVICE_LEFT] = {"{service}: {n} day left (until {date})",
                                           "{service}: {n} days left (until {date})"},
            [UI_MSG_ABOUT_SERVICE_ENDED] = {"{service}: ended on {date}"},
            [UI_MSG_ABOUT_FIRMWARE] = {"Firmware {version}"},
            [UI_MSG_ABOUT_LAST_REPORT] = {"Last report to the service: {datetime}"},
            [UI_MSG_ABOUT_NO_REPORT] = {"No report has reached the service yet."},
            [UI_MSG_ABOUT_BACK] = {"HOME goes back (or wait {s} seconds)."},

            [UI_MSG_SVC_CALLING] = {"Calling"},
            [UI_MSG_SVC_MEETINGS] = {"Meetings"},
            [UI_MSG_SVC_MESSAGING] = {"Messaging"},
            [UI_MSG_SVC_ROOM_SYSTEM] = {"Room system"},
            [UI_MSG_SVC_TRAINING_CENTER] = {"Training Center"},
            [UI_MSG_SVC_EVENT_CENTER] = {"Event Center"},
        },
};
