/*
 * hal/input.h - buttons and touch on the room device.
 */
#ifndef HAL_INPUT_H
#define HAL_INPUT_H

#include <stdint.h>

typedef enum {
    HAL_INPUT_BUTTON = 1, /* `code` names the button */
    HAL_INPUT_TOUCH = 2,  /* x, y in display pixels */
} hal_input_kind_t;

typedef enum {
    HAL_BUTTON_HOME = 1,
    HAL_BUTTON_INFO = 2,
} hal_button_t;

typedef struct {
    hal_input_kind_t kind;
    uint16_t code;
    uint16_t x, y;
} hal_input_event_t;

/* Returns 1 and fills `ev` if an event was pending, 0 if none. Never blocks. */
int hal_input_poll(hal_input_event_t *ev);

#endif /* HAL_INPUT_H */
