# Cross build for the room board (Linux on 64-bit ARM) with Debian's own
# toolchain (gcc-aarch64-linux-gnu) and Debian multiarch arm64 -dev packages
# (libmbedtls-dev:arm64, ...; scripts/deps.sh installs them).
#
# Debian's cross gcc already searches the multiarch include and library
# directories (/usr/include/aarch64-linux-gnu, /usr/lib/aarch64-linux-gnu), so
# no sysroot is needed. What remains is to keep CMake and pkg-config away from
# the host's (x86-64) libraries:
#  - CMAKE_LIBRARY_ARCHITECTURE makes find_library() look in the arm64
#    multiarch directory only;
#  - PKG_CONFIG_LIBDIR replaces pkg-config's default search path with the
#    arm64 one, so pkg_check_modules() reads the arm64 .pc files.
# Tests run the aarch64 binaries under Debian's qemu-user (qemu-aarch64).
# Without -L: libc6:arm64 provides /lib/ld-linux-aarch64.so.1, and the cross
# ld.so that -L /usr/aarch64-linux-gnu would pick makes forked children hang.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(SPARK_TARGET_TRIPLET aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${SPARK_TARGET_TRIPLET}-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE ${SPARK_TARGET_TRIPLET})

# Programs (cppcheck, bash, openssl, coap-server-openssl) are the host's.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# pkg-config's search path for the target: the multiarch directory of the
# triplet plus the architecture-independent one (Debian's own cross
# pkg-config wrapper uses the same two).
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${SPARK_TARGET_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

find_program(SPARK_QEMU_AARCH64 qemu-aarch64)
if(SPARK_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SPARK_QEMU_AARCH64})
endif()

# binutils of the target, for the size table (BENCHMARKS.md).
set(CMAKE_SIZE ${SPARK_TARGET_TRIPLET}-size)
