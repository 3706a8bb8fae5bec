#!/bin/sh
# libvpx.sh TARGET builds libvpx from Debian's source package for TARGET (a
# libvpx configure target; x86_64-win64-gcc cross-builds with mingw for the
# Windows agent): static, VP8 only. It prints the install prefix; point cgo
# at it with PKG_CONFIG_PATH=PREFIX/lib/pkgconfig, and add the prefix to
# CGO_CPPFLAGS (-DLIFELINE_VPX=PREFIX): Go's build cache does not key cgo
# packages on pkg-config's output, so without it a package built against
# another libvpx may be reused. For Windows, with mingw:
#   p=$(sh agent/build/libvpx.sh x86_64-win64-gcc)
#   GOOS=windows CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
#     CXX=x86_64-w64-mingw32-g++ PKG_CONFIG_PATH=$p/lib/pkgconfig \
#     CGO_CPPFLAGS=-DLIFELINE_VPX=$p go build ...
# The result needs only Windows' own DLLs (kernel32, msvcrt): libvpx uses
# Win32 threads, not winpthreads.
#
# The result is cached in ${LIFELINE_CACHE:-~/.cache/lifeline}/libvpx/KEY,
# KEY being a hash of the source tarball's SHA-256 (from apt's source
# index, so a cached build is found without the network), the target and
# the configure flags: a new Debian upload or new flags build afresh
# (about 3 minutes on 2 cores). Needs deb-src entries, nasm and, for
# Windows, the mingw gcc and g++ (go tool task deps).
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 TARGET (e.g. x86_64-win64-gcc)" >&2
	exit 2
fi
target=$1
# Bump when the build below changes in a way flags do not show.
recipe=2
flags="--disable-vp9 --disable-examples --disable-tools --disable-docs --disable-unit-tests --enable-static --disable-shared"
case $target in
*-win64-gcc) cross=x86_64-w64-mingw32- ;;
*) cross= ;;
esac

# The newest libvpx source apt knows, and its upstream tarball's SHA-256.
version=$(apt-cache showsrc libvpx 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
record=$(apt-cache showsrc libvpx 2>/dev/null | awk -v RS= -v v="$version" 'index($0, "\nVersion: " v "\n") { print; exit }')
orig=$(printf '%s\n' "$record" | sed -n '/^Checksums-Sha256:/,/^[^ ]/p' | awk '$3 ~ /\.orig\.tar\./ { print $1; exit }')
if [ -z "$version" ] || [ -z "$orig" ]; then
	echo "libvpx.sh: apt knows no libvpx source package: add deb-src entries (go tool task deps)" >&2
	exit 1
fi
key=$(printf '%s %s %s %s\n' "$orig" "$target" "$flags" "$recipe" | sha256sum | cut -c1-16)
cache=${LIFELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lifeline}/libvpx
prefix=$cache/$key
if [ -f "$prefix/lib/libvpx.a" ]; then
	echo "$prefix"
	exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
(
	cd "$work"
	# apt-get checks the downloaded files against the same checksums.
	apt-get source --download-only -qq "libvpx=$version" >&2
	tarball=$(ls libvpx_*.orig.tar.*)
	echo "$orig  $tarball" | sha256sum -c --quiet >&2
	mkdir src && tar -xf "$tarball" -C src --strip-components=1
	cd src
	CROSS=$cross ./configure --target="$target" $flags --prefix="$work/out" >&2
	case $target in
	*-win64-gcc)
		# mingw's pthread.h (winpthreads) would make libvpx's threads
		# pthreads and the agent need libwinpthread-1.dll; without it
		# libvpx uses Win32 threads, as upstream's Windows builds do.
		sed -i 's/^#define HAVE_PTHREAD_H 1$/#define HAVE_PTHREAD_H 0/' vpx_config.h
		sed -i 's/^HAVE_PTHREAD_H=yes$/HAVE_PTHREAD_H=no/' "libs-$target.mk"
		grep -q '^#define HAVE_PTHREAD_H 0$' vpx_config.h
		;;
	esac
	make -j"$(nproc)" >&2
	make install >&2
)
# The .pc file names the temporary prefix: point it at the cache, then
# publish atomically (a concurrent build of the same key loses the rename
# and uses the winner's copy).
sed -i "s|^prefix=.*|prefix=$prefix|" "$work/out/lib/pkgconfig/vpx.pc"
mv -T "$work/out" "$prefix" 2>/dev/null || [ -f "$prefix/lib/libvpx.a" ]
echo "$prefix"
