/*
 * proto/fwimage.h - the signed firmware image that `sparkflash sign` writes and
 * `sparkflash flash` (and a bootloader) checks. Pure: no HAL, no files.
 *
 * Layout (all integers little-endian), FWIMG_HEADER_LEN bytes then payload:
 *   0   magic "SPKFWIMG"            8 bytes
 *   8   format version (1)          u16
 *   10  header length (128)         u16
 *   12  version major, minor, patch u16 x 3
 *   18  flags (0)                   u16
 *   20  payload size in bytes       u32
 *   24  reserved, zero              8 bytes
 *   32  SHA-256 of the payload      32 bytes
 *   64  ES256 signature r || s      64 bytes, over SHA-256 of bytes 0..63
 * The signature covers every header field and, through the hash, the payload,
 * so one verify + one hash proves the whole image.
 */
#ifndef PROTO_FWIMAGE_H
#define PROTO_FWIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#define FWIMG_MAGIC "SPKFWIMG"
#define FWIMG_MAGIC_LEN 8u
#define FWIMG_FORMAT 1u
#define FWIMG_HEADER_LEN 128u
#define FWIMG_SIGNED_LEN 64u /* bytes of the header the signature covers */
#define FWIMG_HASH_LEN 32u
#define FWIMG_SIG_LEN 64u
#define FWIMG_PAYLOAD_MAX (512u * 1024u * 1024u)

typedef struct {
    uint16_t major, minor, patch;
} fwimg_version_t;

typedef struct {
    uint16_t format;
    fwimg_version_t version;
    uint16_t flags;
    uint32_t size;
    uint8_t sha256[FWIMG_HASH_LEN];
    uint8_t sig[FWIMG_SIG_LEN];
} fwimg_header_t;

/* "X.Y.Z", each part decimal 0..65535 without sign or leading junk.
 * 0 or FW_E_FORMAT. */
int fwimg_version_parse(const char *text, fwimg_version_t *v);
/* <0, 0, >0 like strcmp. */
int fwimg_version_cmp(const fwimg_version_t *a, const fwimg_version_t *b);
/* "X.Y.Z" into buf (at least 18 bytes). */
void fwimg_version_format(const fwimg_version_t *v, char *buf, size_t cap);

void fwimg_header_encode(const fwimg_header_t *h, uint8_t out[FWIMG_HEADER_LEN]);
/* FW_E_FORMAT (bad magic or header length), FW_E_UNSUPPORTED (format), or 0.
 * Checks the layout only, not the signature. */
int fwimg_header_decode(const uint8_t in[FWIMG_HEADER_LEN], fwimg_header_t *h);

/* Fill h->sig with an ES256 signature over the encoded header. `key` must be
 * a P-256 private key; `f_rng` as in mbedtls. 0 or a negative FW_E_* code. */
int fwimg_header_sign(fwimg_header_t *h, mbedtls_pk_context *key,
                      int (*f_rng)(void *, unsigned char *, size_t), void *p_rng);

/* 0 if the signature in the encoded header `raw` verifies with the P-256
 * public key `pub`, FW_E_SIGNATURE if not, FW_E_INVAL if `pub` is not P-256. */
int fwimg_header_verify(const uint8_t raw[FWIMG_HEADER_LEN], mbedtls_pk_context *pub);

/* True if `pk` holds an EC key on P-256 (secp256r1). */
bool fwimg_key_is_p256(mbedtls_pk_context *pk);

#endif /* PROTO_FWIMAGE_H */
