#!/bin/sh
# build.sh OUT builds the Linux agent that customers download, the same one
# the e2e tests run (e2e.Binaries calls this script): it needs only what every
# X11 desktop has (libc, libm, libpthread, libX11, libXext, libXtst) and no
# glibc symbol newer than 2.31. libvpx is linked in (pkgconfig/vpx.pc) and
# glibc231.c pins the symbols a newer build machine would bind to newer
# versions. e2e's TestLinuxAgentIsPortable checks the result.
#
# Why not fully static: libX11 dlopens (libXcursor, i18n modules) and, like
# libxcb, resolves host names (DISPLAY=host:0) through NSS; a static glibc
# would have to load the customer's NSS modules (mdns, systemd, sssd) built
# for another glibc, which fails or crashes. The desktop's own libc and X11
# do all of that right.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 OUT" >&2
	exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc=${CC:-gcc}
"$cc" -c -O2 -fPIC -Wall -o "$tmp/glibc231.o" "$here/glibc231.c"
wraps=$(grep -o '__wrap_[A-Za-z0-9_]*' "$here/glibc231.c" | sort -u | sed 's/^__wrap_/-Wl,--wrap=/' | tr '\n' ' ')

# netgo: Go's own DNS resolver; the cgo one would need res_search, which
# glibc before 2.34 has only in libresolv.so.2.
# Go's build cache does not key cgo packages on pkg-config's output: the
# marker in CGO_CPPFLAGS keeps agent/encode built against the static vpx.pc
# apart from builds against the system's libvpx.so.
cd "$root"
CGO_ENABLED=1 PKG_CONFIG_PATH="$here/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
	CGO_CPPFLAGS="${CGO_CPPFLAGS:-} -DLIFELINE_STATIC_VPX" \
	go build -trimpath -tags netgo -buildmode=pie -o "$out" \
	-ldflags "-s -w -linkmode external -extldflags '$tmp/glibc231.o $wraps -Wl,--no-as-needed -l:libpthread.so.0 -Wl,--as-needed'" \
	./agent
