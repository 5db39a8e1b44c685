#include "fw/err.h"

const char *fw_strerror(int err)
{
    if (FW_E_IS_MBEDTLS(err)) {
        return "cryptographic library error";
    }
    switch (err) {
    case FW_OK: return "success";
    case FW_E_INVAL: return "invalid argument";
    case FW_E_NOMEM: return "out of memory";
    case FW_E_IO: return "input/output error";
    case FW_E_NOENT: return "not found";
    case FW_E_CORRUPT: return "integrity check failed";
    case FW_E_ROLLBACK: return "rollback detected";
    case FW_E_NOSPACE: return "no space left";
    case FW_E_POWER: return "power cut";
    case FW_E_TOOBIG: return "too large";
    case FW_E_FORMAT: return "bad format";
    case FW_E_CRYPTO: return "cryptographic operation failed";
    case FW_E_SIGNATURE: return "signature does not verify";
    case FW_E_STATE: return "not allowed in this state";
    case FW_E_UNSUPPORTED: return "unsupported";
    case FW_E_TIMEOUT: return "timed out";
    case FW_E_NET: return "network error";
    default: return "unknown error";
    }
}
