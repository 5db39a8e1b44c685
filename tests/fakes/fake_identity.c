/* A settable hardware identity. */
#include "fakes/fake_identity.h"

#include <stdio.h>
#include <string.h>

#include "fw/err.h"

static const hal_identity_t s_default = {
    .serial = "SIMTEST0001",
    .model = "Spark Room Kit (fake)",
    .mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
    .hw_revision = 1,
};
static hal_identity_t s_id = {
    .serial = "SIMTEST0001",
    .model = "Spark Room Kit (fake)",
    .mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
    .hw_revision = 1,
};
static int s_fail;

void fake_identity_reset(void)
{
    s_id = s_default;
    s_fail = 0;
}

void fake_identity_set(const hal_identity_t *id)
{
    s_id = *id;
}

void fake_identity_set_serial(const char *serial)
{
    snprintf(s_id.serial, sizeof s_id.serial, "%s", serial ? serial : "");
}

void fake_identity_fail_with(int err)
{
    s_fail = err;
}

int hal_identity_get(hal_identity_t *id)
{
    if (!id) {
        return FW_E_INVAL;
    }
    if (s_fail) {
        return s_fail;
    }
    *id = s_id;
    return 0;
}
