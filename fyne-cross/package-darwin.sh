#!/usr/bin/env bash
# package-darwin.sh — build Precedent.app for Apple silicon (darwin/arm64):
# `fyne package -os darwin` (name, bundle ID, version and icon from
# FyneApp.toml), then the XLA Metal plugin into Contents/Frameworks — where
# platform.PJRTPlugins looks when the app runs from a bundle — and an ad-hoc
# signature over the whole bundle. The tokenizers library is static, linked
# into the executable. `make app` runs this on a Mac.
#
# Two ways, see fyne-cross/README.md:
#   on a Mac (Xcode command line tools installed):  fyne-cross/package-darwin.sh
#   on Linux with Docker and a macOS SDK image:     MACOSX_SDK=/path/to/MacOSX.sdk fyne-cross/package-darwin.sh --cross
# Then: fyne-cross/check-app.sh build/dist/Precedent.app
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-$ROOT/build/dist}"
FYNE_TOOLS_VERSION="${FYNE_TOOLS_VERSION:-v1.7.4}"
FYNE_CROSS_VERSION="${FYNE_CROSS_VERSION:-v1.6.1}"
PLUGIN="${PRECEDENT_PJRT_DIR:-$ROOT/third_party/pjrt}/pjrt_c_api_metal_plugin.dylib"
mkdir -p "$OUT"
cd "$ROOT"
export GOMLX_NO_AUTO_INSTALL=1 CGO_ENABLED=1

# bundle_plugin APP: the Metal plugin (and its licence) into APP/Contents/Frameworks,
# with ONNX Runtime's library (the CPU fallback for inference, make onnxruntime).
bundle_plugin() {
	local app=$1
	local ortlib="$ROOT/third_party/onnxruntime/libonnxruntime.dylib"
	if [[ -s "$ortlib" ]]; then
		mkdir -p "$app/Contents/Frameworks"
		cp "$ortlib" "$app/Contents/Frameworks/"
		cp "$(dirname "$ortlib")/LICENSE" "$app/Contents/Frameworks/LICENSE-onnxruntime" 2>/dev/null || true
		echo "package-darwin: bundled libonnxruntime.dylib in Contents/Frameworks"
	else
		echo "package-darwin: no ONNX Runtime at $ortlib (run make onnxruntime): without Metal, inference will run on pure Go" >&2
	fi
	if [[ ! -s "$PLUGIN" ]]; then
		echo "package-darwin: no Metal plugin at $PLUGIN (run make pjrt): the app will train on the pure-Go backend" >&2
		return
	fi
	mkdir -p "$app/Contents/Frameworks"
	cp "$PLUGIN" "$app/Contents/Frameworks/"
	cp "$(dirname "$PLUGIN")/LICENSE-jax-metal" "$app/Contents/Frameworks/" 2>/dev/null || true
	echo "package-darwin: bundled $(basename "$PLUGIN") in Contents/Frameworks"
}

if [[ "${1:-}" != "--cross" ]]; then
	[[ "$(uname -s)" == Darwin ]] || { echo "native packaging needs macOS; use --cross with a macOS SDK image (see fyne-cross/README.md)" >&2; exit 1; }
	xcode-select -p >/dev/null || { echo "install the Xcode command line tools: xcode-select --install" >&2; exit 1; }
	FYNE="$(command -v fyne || true)"
	if [[ -z "$FYNE" ]]; then
		GOBIN="$ROOT/build/tools" go install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION"
		FYNE="$ROOT/build/tools/fyne"
	fi
	# libtokenizers.a must be built for darwin/arm64 (scripts/build-tokenizers.sh on the Mac).
	export CGO_LDFLAGS="${CGO_LDFLAGS:-} -L$ROOT/third_party/lib"
	# fyne package rewrites FyneApp.toml (bumps Build): keep the committed one.
	cp FyneApp.toml "$OUT/.FyneApp.toml.keep"
	trap 'mv -f "$OUT/.FyneApp.toml.keep" "$ROOT/FyneApp.toml"' EXIT
	GOOS=darwin GOARCH=arm64 go build -trimpath -ldflags "-s -w" -o build/precedent-desktop .
	GOOS=darwin GOARCH=arm64 "$FYNE" package -os darwin --release --exe build/precedent-desktop
	rm -rf "$OUT/Precedent.app"
	mv Precedent.app "$OUT/"
	bundle_plugin "$OUT/Precedent.app"
	# Apple silicon runs only signed code, and copying the plugin in broke
	# the linker's signature: sign the bundle ad hoc (no identity needed).
	codesign --force --deep -s - "$OUT/Precedent.app"
	echo "built $OUT/Precedent.app (ad-hoc signed; first launch: see README, macOS (Apple Silicon))"
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
rm -rf "$OUT/Precedent.app"
cp -R fyne-cross/dist/darwin-arm64/Precedent.app "$OUT/"
bundle_plugin "$OUT/Precedent.app"
echo "built $OUT/Precedent.app (unsigned: on the Mac, codesign --force --deep -s - Precedent.app)"
