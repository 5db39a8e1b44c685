/*
 * proto/fwimage.h - the signed firmware image that `sparkflash sign` writes and
 * `sparkflash flash` (and a bootloader) checks. Pure: no HAL, no files.
 *
 * Layout: FWIMG_HEADER_LAYOUT below (proto/bytes.h), FWIMG_HEADER_LEN bytes
 * then the payload; docs/FORMATS.md shows it as a table.
 * The signature covers every header field and, through the hash, the payload,
 * so one verify + one hash proves the whole image.
 */
#ifndef PROTO_FWIMAGE_H
#define PROTO_FWIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "proto/bytes.h"

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

/* The header, byte by byte (X as in proto/bytes.h). A reader refuses a wrong
 * magic or header length as not an image (FW_E_FORMAT) and another format
 * version as one it cannot read (FW_E_UNSUPPORTED); the payload size is
 * checked against the file and the slot by those who have them. */
#define FWIMG_HEADER_LAYOUT(X)                                                                     \
    X(magic, 0, 8, MAGIC, _, 0, 0, FORMAT, FWIMG_MAGIC, "\"SPKFWIMG\"")                            \
    X(format, 8, 2, U16, format, FWIMG_FORMAT, FWIMG_FORMAT, UNSUPPORTED, NULL, "format version")  \
    X(header_len, 10, 2, FIXED, _, FWIMG_HEADER_LEN, FWIMG_HEADER_LEN, FORMAT, NULL,               \
      "header length in bytes")                                                                    \
    X(major, 12, 2, U16, version.major, 0, UINT16_MAX, NONE, NULL, "version X of X.Y.Z")           \
    X(minor, 14, 2, U16, version.minor, 0, UINT16_MAX, NONE, NULL, "version Y")                    \
    X(patch, 16, 2, U16, version.patch, 0, UINT16_MAX, NONE, NULL, "version Z")                    \
    X(flags, 18, 2, U16, flags, 0, UINT16_MAX, NONE, NULL, "0: none defined")                      \
    X(size, 20, 4, U32, size, 0, UINT32_MAX, NONE, NULL, "payload bytes")                          \
    X(reserved, 24, 8, ZERO, _, 0, 0, NONE, NULL, "zero")                                          \
    X(sha256, 32, 32, BYTES, sha256, 0, 0, NONE, NULL, "SHA-256 of the payload")                   \
    X(signature, 64, 64, BYTES, sig, 0, 0, NONE, NULL,                                             \
      "ES256 r || s over the SHA-256 of bytes 0..63")

extern const proto_blayout_t fwimg_header_layout;

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
