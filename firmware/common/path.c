#include "fw/path.h"

#include <string.h>

#include "fw/err.h"

int fw_path_dir(const char *path, char *out, size_t cap)
{
    if (!path || !out || cap == 0) {
        return FW_E_INVAL;
    }
    const char *slash = strrchr(path, '/');
    const char *from = slash ? path : ".";
    size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    if (n >= cap) {
        out[0] = '\0';
        return FW_E_TOOBIG;
    }
    memcpy(out, from, n);
    out[n] = '\0';
    return 0;
}
