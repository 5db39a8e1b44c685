/*
 * QR codes by libqrencode: error correction M (15 % of the code may be lost
 * to glare or a smudge and it still reads), 8-bit mode for the whole URL,
 * the smallest version that holds it. The quiet zone is the layout's job.
 */
#include "ui_priv.h"

#include <string.h>

#include <qrencode.h>

#include "ui/lang.h"

void ui_qr_free(ui_renderer_t *r)
{
    if (r->qr) {
        QRcode_free((QRcode *)r->qr);
        r->qr = NULL;
    }
    r->qr_text[0] = '\0';
}

int ui_qr_prepare(ui_renderer_t *r, const char *text)
{
    if (r->qr && strcmp(r->qr_text, text) == 0) {
        return ((QRcode *)r->qr)->width;
    }
    ui_qr_free(r);
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q) {
        return 0;
    }
    r->qr = q;
    ui_copy(r->qr_text, sizeof r->qr_text, text);
    return q->width;
}

bool ui_qr_dark(const ui_renderer_t *r, int x, int y)
{
    const QRcode *q = r->qr;
    return q && x >= 0 && y >= 0 && x < q->width && y < q->width &&
           (q->data[(size_t)y * (size_t)q->width + (size_t)x] & 1u) != 0;
}
