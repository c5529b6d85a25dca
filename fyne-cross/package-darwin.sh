#!/usr/bin/env bash
# package-darwin.sh — build Precedent.app for Apple silicon (darwin/arm64).
#
# Two ways, see fyne-cross/README.md:
#   on a Mac (Xcode command line tools installed):  fyne-cross/package-darwin.sh
#   on Linux with Docker and a macOS SDK image:     MACOSX_SDK=/path/to/MacOSX.sdk fyne-cross/package-darwin.sh --cross
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-$ROOT/build/dist}"
FYNE_TOOLS_VERSION="${FYNE_TOOLS_VERSION:-v1.7.4}"
FYNE_CROSS_VERSION="${FYNE_CROSS_VERSION:-v1.6.1}"
mkdir -p "$OUT"
cd "$ROOT"
export GOMLX_NO_AUTO_INSTALL=1 CGO_ENABLED=1

if [[ "${1:-}" != "--cross" ]]; then
	[[ "$(uname -s)" == Darwin ]] || { echo "native packaging needs macOS; use --cross with a macOS SDK image" >&2; exit 1; }
	xcode-select -p >/dev/null || { echo "install the Xcode command line tools: xcode-select --install" >&2; exit 1; }
	command -v fyne >/dev/null || go install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION"
	# libtokenizers.a must be built for darwin/arm64 (scripts/build-tokenizers.sh on the Mac).
	export CGO_LDFLAGS="${CGO_LDFLAGS:-} -L$ROOT/third_party/lib"
	GOOS=darwin GOARCH=arm64 "$(go env GOPATH)/bin/fyne" package -os darwin --release
	rm -rf "$OUT/Precedent.app"
	mv Precedent.app "$OUT/"
	echo "built $OUT/Precedent.app (unsigned: see README for codesign/notarize)"
	exit 0
fi

: "${MACOSX_SDK:?set MACOSX_SDK to an extracted MacOSX.sdk folder (from Xcode, see README)}"
command -v docker >/dev/null || { echo "fyne-cross needs Docker" >&2; exit 1; }
command -v fyne-cross >/dev/null || go install "github.com/fyne-io/fyne-cross@$FYNE_CROSS_VERSION"
# One-time: build the darwin image from the SDK (fyne-cross darwin-image).
docker image inspect fyneio/fyne-cross-images:darwin >/dev/null 2>&1 ||
	fyne-cross darwin-image --sdk-path "$MACOSX_SDK"
fyne-cross darwin -arch arm64 -app-id io.precedent.desktop -icon icon.png \
	-env CGO_LDFLAGS=-L/app/third_party/lib-darwin-arm64 -env GOMLX_NO_AUTO_INSTALL=1 .
cp -R fyne-cross/dist/darwin-arm64/Precedent.app "$OUT/"
echo "built $OUT/Precedent.app"
