#!/bin/sh
# Find every library gongkai builds against with pkg-config and print the
# flags as make variables. When something is missing and we are root on
# Debian, install it (apt-get update once, then apt-get install -y); otherwise
# name the Debian package to install and fail.
set -u

# pkg-config module : Debian package
MODULES="libcmark-gfm:libcmark-gfm-dev lua5.4:liblua5.4-dev libgit2:libgit2-dev
libzip:libzip-dev yaml-0.1:libyaml-dev pangocairo:libpango1.0-dev cairo-pdf:libcairo2-dev
libqrencode:libqrencode-dev libmicrohttpd:libmicrohttpd-dev cmocka:libcmocka-dev"

# Install what is missing ($1) when root on Debian, else say what to install.
install_missing() {
    [ -n "$1" ] || return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "gongkai: 安装缺少的依赖 / installing missing packages:$1" >&2
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -q && apt-get install -y -q $1; } >&2 || {
            echo "gongkai: apt-get install failed for:$1" >&2
            exit 1
        }
    else
        echo "gongkai: missing Debian packages:$1" >&2
        echo "  install them with: sudo apt-get install$1" >&2
        exit 1
    fi
}

# `deps.sh fuzz`: only what make fuzz needs (clang and its libFuzzer runtime).
if [ "${1:-}" = fuzz ]; then
    need=""
    command -v clang >/dev/null 2>&1 || need="$need clang"
    ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
        need="$need libclang-rt-14-dev"
    install_missing "$need"
    exit 0
fi

missing=""
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
# Test tools: HTML validation, and reading QR codes back.
command -v tidy >/dev/null 2>&1 || missing="$missing tidy"
command -v rsvg-convert >/dev/null 2>&1 || missing="$missing librsvg2-bin"
command -v zbarimg >/dev/null 2>&1 || missing="$missing zbar-tools"
[ -f /usr/include/cmark-gfm-core-extensions.h ] || missing="$missing libcmark-gfm-extensions-dev"
ls /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc >/dev/null 2>&1 ||
    missing="$missing fonts-noto-cjk"
if command -v pkg-config >/dev/null 2>&1; then
    for m in $MODULES; do
        pkg-config --exists "${m%%:*}" || missing="$missing ${m#*:}"
    done
else
    for m in $MODULES; do missing="$missing ${m#*:}"; done
fi

install_missing "$missing"

libs=""
for m in $MODULES; do
    [ "${m%%:*}" = cmocka ] || libs="$libs ${m%%:*}"
done
echo "PKG_CFLAGS := $(pkg-config --cflags $libs)"
# Debian's cmark-gfm extensions library ships no .pc file.
echo "PKG_LIBS := -lcmark-gfm-extensions $(pkg-config --libs $libs)"
echo "TEST_CFLAGS := $(pkg-config --cflags cmocka)"
echo "TEST_LIBS := $(pkg-config --libs cmocka)"
