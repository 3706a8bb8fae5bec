#!/bin/sh
# build-windows.sh OUT cross-builds the Windows agent that customers download
# (lifeline-support.exe once stamped by the server), the same one the Wine
# e2e test runs: mingw-w64 for cgo, libvpx cross-built by libvpx.sh (cached),
# and a resource object with the manifest (asInvoker: no administrator
# rights; Windows 10+; per-monitor DPI aware) and the version information.
# The result needs only Windows' own DLLs (kernel32, msvcrt).
#
# Signing: with LIFELINE_SIGN_CERT (a PKCS#12 file) and optionally
# LIFELINE_SIGN_PASS set, the .exe is signed with osslsigncode (see
# docs/deploy.md). Unsigned by default.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 OUT" >&2
	exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=${LIFELINE_VERSION:-0.1.0}
vpx=$(sh "$here/libvpx.sh" x86_64-win64-gcc)

# The resource object goes beside main as a .syso only for this build (Go
# links every .syso of the package): a private copy of the package's files
# would break its relative imports, so it is removed on exit.
syso="$root/agent/zz_lifeline_windows_amd64.syso"
trap 'rm -f "$syso"' EXIT
commas=$(echo "$version" | awk -F. '{ printf "%d,%d,%d,0", $1, $2, $3 }')
x86_64-w64-mingw32-windres -I "$here/windows" \
	-DLL_VERSION_COMMA="$commas" -DLL_VERSION_STR="\\\"$version\\\"" \
	-O coff -o "$syso" "$here/windows/agent.rc"

# The CGO_CPPFLAGS marker keeps agent/encode built against this libvpx apart
# in Go's build cache (see libvpx.sh).
cd "$root"
GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
	PKG_CONFIG_PATH="$vpx/lib/pkgconfig" CGO_CPPFLAGS="-DLIFELINE_VPX=$vpx" \
	go build -trimpath -ldflags "-s -w" -o "$out" ./agent

if [ -n "${LIFELINE_SIGN_CERT:-}" ]; then
	osslsigncode sign -pkcs12 "$LIFELINE_SIGN_CERT" ${LIFELINE_SIGN_PASS:+-pass "$LIFELINE_SIGN_PASS"} \
		-n "Lifeline remote support" -t http://timestamp.digicert.com \
		-in "$out" -out "$out.signed"
	mv "$out.signed" "$out"
fi
