/*
 * libpng's simplified API does the format; this file adds the atomic
 * replace and the project's error codes.
 */
#include "sim/png.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "fw/err.h"

int sim_png_write(const char *path, const uint8_t *rgb, uint16_t w, uint16_t h, bool fast)
{
    if (!path || !rgb || w == 0 || h == 0) {
        return FW_E_INVAL;
    }
    /* The temporary name: ".NAME" beside NAME. */
    size_t n = strlen(path);
    char *tmp = malloc(n + 2);
    if (!tmp) {
        return FW_E_NOMEM;
    }
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
    memcpy(tmp, path, dir);
    tmp[dir] = '.';
    memcpy(tmp + dir + 1, path + dir, n - dir + 1);

    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = w;
    img.height = h;
    img.format = PNG_FORMAT_RGB;
    img.flags = fast ? PNG_IMAGE_FLAG_FAST : 0;
    int rc = FW_E_IO;
    FILE *fp = fopen(tmp, "wb");
    if (fp) {
        bool ok = png_image_write_to_stdio(&img, fp, 0, rgb, (png_int_32)w * 3, NULL) != 0;
        png_image_free(&img);
        ok = fclose(fp) == 0 && ok;
        rc = ok && rename(tmp, path) == 0 ? 0 : FW_E_IO;
        if (rc != 0) {
            (void)remove(tmp);
        }
    }
    free(tmp);
    return rc;
}

int sim_png_read(const char *path, uint8_t **rgb, uint16_t *w, uint16_t *h)
{
    *rgb = NULL;
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    FILE *fp = path ? fopen(path, "rb") : NULL;
    if (!fp) {
        return FW_E_NOENT;
    }
    int rc = FW_E_FORMAT;
    if (png_image_begin_read_from_stdio(&img, fp) && img.width > 0 && img.height > 0 &&
        img.width <= UINT16_MAX && img.height <= UINT16_MAX) {
        img.format = PNG_FORMAT_RGB;
        uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
        if (!buf) {
            rc = FW_E_NOMEM;
        } else if (png_image_finish_read(&img, NULL, buf, 0, NULL)) {
            *rgb = buf;
            *w = (uint16_t)img.width;
            *h = (uint16_t)img.height;
            rc = 0;
        } else {
            free(buf);
        }
    }
    png_image_free(&img);
    fclose(fp);
    return rc;
}
