/*
 * fw/err.h - the project's error codes.
 *
 * Every function that can fail returns int: 0 for success, a negative FW_E_*
 * code otherwise. Errors from a library keep their own value inside a band
 * (FW_E_MBEDTLS(x)) instead of being flattened, so a log line still says what
 * the library said.
 */
#ifndef FW_ERR_H
#define FW_ERR_H

enum {
    FW_OK = 0,
    FW_E_INVAL = -1,        /* bad argument (programmer error or bad input) */
    FW_E_NOMEM = -2,        /* out of memory or a fixed table is full */
    FW_E_IO = -3,           /* the HAL or the OS failed */
    FW_E_NOENT = -4,        /* no such record / file / thing */
    FW_E_CORRUPT = -5,      /* bytes failed an integrity check */
    FW_E_ROLLBACK = -6,     /* state older than the monotonic counter allows */
    FW_E_NOSPACE = -7,      /* flash or buffer full */
    FW_E_POWER = -8,        /* simulated power cut: nothing more can be written */
    FW_E_TOOBIG = -9,       /* input larger than allowed */
    FW_E_FORMAT = -10,      /* input not in the expected format */
    FW_E_CRYPTO = -11,      /* a cryptographic operation failed */
    FW_E_SIGNATURE = -12,   /* a signature did not verify */
    FW_E_STATE = -13,       /* not allowed in the current state */
    FW_E_UNSUPPORTED = -14, /* a version or algorithm we do not handle */
    FW_E_TIMEOUT = -15,     /* gave up waiting */
    FW_E_NET = -16,         /* the network failed */
};

/* Library bands: the library's own (negative) code stays readable. */
#define FW_E_MBEDTLS_BASE (-0x100000)
#define FW_E_MBEDTLS(x) (FW_E_MBEDTLS_BASE + (x))
#define FW_E_IS_MBEDTLS(e) ((e) <= FW_E_MBEDTLS_BASE + 0 && (e) > FW_E_MBEDTLS_BASE - 0x10000)

/* A short English description of `err` (never NULL). */
const char *fw_strerror(int err);

#endif /* FW_ERR_H */
