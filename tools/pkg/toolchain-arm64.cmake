# toolchain-arm64.cmake — cross-build motcua for the kiosk (Debian arm64)
# with Debian's cross compiler and the :arm64 -dev packages (multiarch).
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install crossbuild-essential-arm64 libsqlite3-dev:arm64 ...
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=tools/pkg/toolchain-arm64.cmake
# `tools/dev.sh cross` does all of it and builds the arm64 .deb;
# `tools/dev.sh test-arm64` runs the tree's tests under qemu-user.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Multiarch: arm64 libraries live in /usr/lib/aarch64-linux-gnu, headers in
# /usr/include (arch-specific ones in /usr/include/aarch64-linux-gnu, which
# the cross gcc searches itself). pkg-config must see only arm64 .pc files.
# MC_ARM64_PKGCONFIG: a folder of .pc files searched first (tools/dev.sh
# puts libpq's there: libpq-dev:arm64 is unpacked, not installed, since it
# would replace the native libpq-dev).
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
# try_compile re-reads this file in the same process (its setting of the
# environment stays): the folder goes to it too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MC_ARM64_PKGCONFIG)
if(MC_ARM64_PKGCONFIG)
  set(ENV{PKG_CONFIG_LIBDIR} "${MC_ARM64_PKGCONFIG}:$ENV{PKG_CONFIG_LIBDIR}")
endif()
set(ENV{PKG_CONFIG_PATH} "")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

set(CMAKE_SYSTEM_LIBRARY_PATH /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu)

# Tests run through qemu-user (Debian's qemu-user), which finds the arm64
# loader and libraries where multiarch put them (/lib/ld-linux-aarch64.so.1).
find_program(MC_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(MC_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${MC_QEMU_AARCH64})
endif()
