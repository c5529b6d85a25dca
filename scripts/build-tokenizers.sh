#!/usr/bin/env bash
# build-tokenizers.sh builds libtokenizers.a, the Rust static library that
# github.com/daulet/tokenizers links with cgo (-ltokenizers), from the exact
# module version pinned in go.mod, and installs it into a cache directory.
#
# Usage: scripts/build-tokenizers.sh [LIBDIR]
#   LIBDIR defaults to $REPO/third_party/lib (git-ignored).
# Environment:
#   TOKENIZERS_TARGET_DIR  cargo target dir to reuse between runs
#                          (default: a temp dir removed afterwards).
#   CARGO                  cargo binary (default: cargo on PATH or ~/.cargo/bin/cargo).
#
# It is a no-op when LIBDIR already holds the library for the same version
# (stamp file LIBDIR/libtokenizers.version). On success the last line printed
# on stdout is the CGO_LDFLAGS to export for go build / go test, e.g.
#   export CGO_LDFLAGS="-L/path/to/repo/third_party/lib"
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIBDIR="${1:-$REPO/third_party/lib}"
MODULE="github.com/daulet/tokenizers"

log() { echo "build-tokenizers: $*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null || die "go not found on PATH"

# The version go.mod resolves, so the library always matches the Go wrapper
# (the wrapper has a link-time check: tokenizers_version_X_Y_Z).
VERSION="$(cd "$REPO" && go list -m -f '{{.Version}}' "$MODULE")" \
	|| die "cannot resolve $MODULE version from $REPO/go.mod"
SRC="$(cd "$REPO" && go list -m -f '{{.Dir}}' "$MODULE")"
if [[ -z "$SRC" || ! -f "$SRC/Cargo.toml" ]]; then
	log "downloading $MODULE@$VERSION"
	(cd "$REPO" && go mod download "$MODULE") || die "go mod download $MODULE failed"
	SRC="$(cd "$REPO" && go list -m -f '{{.Dir}}' "$MODULE")"
fi
[[ -f "$SRC/Cargo.toml" ]] || die "no Cargo.toml in $SRC"

STAMP="$LIBDIR/libtokenizers.version"
WANT="$MODULE@$VERSION $(uname -s)-$(uname -m)"
if [[ -f "$LIBDIR/libtokenizers.a" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
	log "up to date: $LIBDIR/libtokenizers.a ($WANT)"
	echo "CGO_LDFLAGS=-L$LIBDIR"
	exit 0
fi

CARGO="${CARGO:-$(command -v cargo || echo "$HOME/.cargo/bin/cargo")}"
[[ -x "$CARGO" ]] || die "cargo not found (install Rust: https://rustup.rs)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/build-tokenizers.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# The module cache is read-only: build from a writable copy.
cp -R "$SRC/." "$WORK/crate"
chmod -R u+w "$WORK/crate"
TARGET="${TOKENIZERS_TARGET_DIR:-$WORK/target}"

log "building $MODULE@$VERSION with $("$CARGO" --version) (several minutes)"
(cd "$WORK/crate" && CARGO_TARGET_DIR="$TARGET" "$CARGO" build --release --locked --lib) \
	|| die "cargo build failed for $MODULE@$VERSION"

LIB="$TARGET/release/libtokenizers.a"
[[ -f "$LIB" ]] || die "cargo produced no $LIB"
mkdir -p "$LIBDIR"
# Install atomically so a concurrent go build never links a half-written file.
cp "$LIB" "$LIBDIR/libtokenizers.a.tmp"
mv -f "$LIBDIR/libtokenizers.a.tmp" "$LIBDIR/libtokenizers.a"
echo "$WANT" >"$STAMP"
log "installed $LIBDIR/libtokenizers.a"
echo "CGO_LDFLAGS=-L$LIBDIR"
