/*
 * png_diff GOLDEN NEW: exit 0 when two screens match within the tolerance of
 * the golden-image tests (docs/SCREENS.md), 1 when they do not (saying how
 * and where), 2 when a file cannot be read.
 *
 * Tolerance: a pixel differs when one of its channels is off by more than
 * PIXEL_TOL (anti-aliasing may round differently); the images match while
 * at most AREA_TOL_PPM parts per million of the pixels differ. A changed
 * word, number or colour moves far more than that; a different FreeType
 * build rounding a few glyph edges does not.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fw/err.h"
#include "hal/log.h"
#include "sim/png.h"

#define PIXEL_TOL 40
#define AREA_TOL_PPM 500 /* 0.05 %: 460 pixels at 1280x720 */

hal_log_level_t hal_log_threshold(void)
{
    return HAL_LOG_ERROR;
}

void hal_log_write(hal_log_level_t level, const char *tag, const char *msg)
{
    (void)level;
    fprintf(stderr, "png_diff: %s: %s\n", tag, msg);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: png_diff GOLDEN.png NEW.png\n");
        return 2;
    }
    uint8_t *a = NULL, *b = NULL;
    uint16_t aw = 0, ah = 0, bw = 0, bh = 0;
    int rc = sim_png_read(argv[1], &a, &aw, &ah);
    if (rc != 0) {
        fprintf(stderr, "png_diff: cannot read %s: %s\n", argv[1], fw_strerror(rc));
        return 2;
    }
    if ((rc = sim_png_read(argv[2], &b, &bw, &bh)) != 0) {
        fprintf(stderr, "png_diff: cannot read %s: %s\n", argv[2], fw_strerror(rc));
        free(a);
        return 2;
    }
    if (aw != bw || ah != bh) {
        printf("%s: size %ux%u, expected %ux%u\n", argv[2], bw, bh, aw, ah);
        free(a);
        free(b);
        return 1;
    }
    size_t differ = 0;
    int x0 = aw, y0 = ah, x1 = -1, y1 = -1;
    for (int y = 0; y < ah; y++) {
        for (int x = 0; x < aw; x++) {
            const uint8_t *p = a + 3 * ((size_t)y * aw + (size_t)x);
            const uint8_t *q = b + 3 * ((size_t)y * aw + (size_t)x);
            int d = 0;
            for (int c = 0; c < 3; c++) {
                int e = abs((int)p[c] - (int)q[c]);
                d = e > d ? e : d;
            }
            if (d > PIXEL_TOL) {
                differ++;
                x0 = x < x0 ? x : x0;
                y0 = y < y0 ? y : y0;
                x1 = x > x1 ? x : x1;
                y1 = y > y1 ? y : y1;
            }
        }
    }
    free(a);
    free(b);
    const size_t limit = (size_t)aw * ah * AREA_TOL_PPM / 1000000u;
    if (differ > limit) {
        printf("%s: %zu pixels differ from %s (at most %zu may), within %d,%d..%d,%d\n", argv[2],
               differ, argv[1], limit, x0, y0, x1, y1);
        return 1;
    }
    return 0;
}
