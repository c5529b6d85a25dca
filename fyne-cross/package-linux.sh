#!/usr/bin/env bash
# package-linux.sh — build the desktop app as a Linux .tar.xz (binary, icon,
# .desktop file, Makefile installer) with the Fyne CLI, natively on Linux.
#
# Usage: fyne-cross/package-linux.sh [OUT_DIR]   (default: build/dist)
# Needs: Go, a C compiler, the GL/X11 headers (scripts/install-deps.sh), the
#        tokenizers static library in third_party/lib (scripts/build-tokenizers.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/build/dist}"
FYNE_TOOLS_VERSION="${FYNE_TOOLS_VERSION:-v1.7.4}"
mkdir -p "$OUT"
export CGO_ENABLED=1 GOMLX_NO_AUTO_INSTALL=1
export CGO_LDFLAGS="${CGO_LDFLAGS:-} -L$ROOT/third_party/lib"

FYNE="$(command -v fyne || true)"
if [[ -z "$FYNE" ]]; then
	GOBIN="$ROOT/build/tools" go install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION"
	FYNE="$ROOT/build/tools/fyne"
fi

cd "$ROOT"
# fyne package reads FyneApp.toml (name, ID, version, icon) and writes
# <Name>.tar.xz into the working directory.
# It also rewrites FyneApp.toml (bumps Build, reformats): keep the committed one.
cp FyneApp.toml "$OUT/.FyneApp.toml.keep"
trap 'mv -f "$OUT/.FyneApp.toml.keep" "$ROOT/FyneApp.toml"' EXIT
# Build the binary ourselves so it is installed as precedent-desktop (the CLI
# is precedent); fyne package then only wraps it with the icon and .desktop file.
go build -trimpath -ldflags "-s -w" -o build/precedent-desktop .
"$FYNE" package -os linux --release --exe build/precedent-desktop
mv -f Precedent.tar.xz "$OUT/precedent-desktop-linux-$(go env GOARCH).tar.xz"
ls -l "$OUT"
