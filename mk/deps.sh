#!/bin/sh
# Find every library gongkai builds against with pkg-config and print the
# flags as make variables. When something is missing and we are root on
# Debian, install it (apt-get update once, then apt-get install -y); otherwise
# name the Debian package to install and fail.
set -u

# pkg-config module : Debian package
MODULES="libcmark-gfm:libcmark-gfm-dev lua5.4:liblua5.4-dev libgit2:libgit2-dev
libzip:libzip-dev yaml-0.1:libyaml-dev pangocairo:libpango1.0-dev cairo-pdf:libcairo2-dev
libqrencode:libqrencode-dev libmicrohttpd:libmicrohttpd-dev cmocka:libcmocka-dev
libutf8proc:libutf8proc-dev"

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
# Test tools: HTML validation, reading QR codes back, and git (the e2e tests
# read with it, independently, what gongkai writes through libgit2).
command -v tidy >/dev/null 2>&1 || missing="$missing tidy"
command -v rsvg-convert >/dev/null 2>&1 || missing="$missing librsvg2-bin"
command -v zbarimg >/dev/null 2>&1 || missing="$missing zbar-tools"
command -v git >/dev/null 2>&1 || missing="$missing git"
# Reading archives back with an independent zip reader.
command -v unzip >/dev/null 2>&1 || missing="$missing unzip"
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

# Optional test tools: chromium, node and npm for the browser tests, wrk for
# the load test. Installed when we can; without them those tests are skipped
# with a message, and nothing else fails.
optional=""
[ -x /usr/bin/chromium ] || optional="$optional chromium"
command -v node >/dev/null 2>&1 || optional="$optional nodejs"
command -v npm >/dev/null 2>&1 || optional="$optional npm"
command -v wrk >/dev/null 2>&1 || optional="$optional wrk"
if [ -n "$optional" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "gongkai: 安装测试用的软件包 / installing test packages:$optional" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q $optional || { apt-get update -q && apt-get install -y -q $optional; }; } >&2 ||
        echo "gongkai: could not install$optional: the tests that need them will be skipped" >&2
fi

libs=""
for m in $MODULES; do
    [ "${m%%:*}" = cmocka ] || libs="$libs ${m%%:*}"
done
echo "PKG_CFLAGS := $(pkg-config --cflags $libs)"
# Debian's cmark-gfm extensions library ships no .pc file.
echo "PKG_LIBS := -lcmark-gfm-extensions $(pkg-config --libs $libs)"
# What the gongkai program needs without the commands of gongkai-extra
# (cairo and pango for the sheets, libzip, libmicrohttpd).
echo "CORE_LIBS := -lcmark-gfm-extensions $(pkg-config --libs libcmark-gfm lua5.4 libgit2 yaml-0.1 \
    libqrencode libutf8proc)"
echo "TEST_CFLAGS := $(pkg-config --cflags cmocka)"
echo "TEST_LIBS := $(pkg-config --libs cmocka)"
