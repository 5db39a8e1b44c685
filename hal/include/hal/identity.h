/*
 * hal/identity.h - what the hardware says it is (burnt in at manufacture).
 */
#ifndef HAL_IDENTITY_H
#define HAL_IDENTITY_H

#include <stdint.h>

typedef struct {
    char serial[32];      /* hardware serial number, NUL-terminated */
    char model[32];       /* product model, e.g. "Spark Room Kit" */
    uint8_t mac[6];       /* primary Ethernet MAC address */
    uint16_t hw_revision; /* board revision */
} hal_identity_t;

int hal_identity_get(hal_identity_t *id);

#endif /* HAL_IDENTITY_H */
