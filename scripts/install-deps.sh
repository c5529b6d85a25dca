#!/usr/bin/env bash
# Installs the Debian packages a fresh machine lacks: a C toolchain and the
# GL/X11 headers Fyne needs, Xvfb for headless window checks, HAProxy for the
# team-server scale-out test (deploy/haproxy.cfg), and Rust (cargo)
# check for the tokenizers library. Skips what is already there.
# On macOS it installs nothing (Fyne needs only the system frameworks): it
# checks the Xcode command line tools, Go, cargo and python3 and names each
# one missing with how to get it.
# Usage: scripts/install-deps.sh [--dry-run]
#   --dry-run: report what is missing, install nothing.
#   PRECEDENT_OS=darwin: take the macOS branch on any machine (CI runs it on Linux).
set -euo pipefail
dry=0
if [ "${1:-}" = "--dry-run" ]; then dry=1; fi
os=${PRECEDENT_OS:-$(uname -s | tr '[:upper:]' '[:lower:]')}
if [ "$os" = darwin ]; then
  exec bash "$(dirname "$0")/install-deps-macos.sh"
fi
pkgs=(gcc g++ make pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
      libxinerama-dev libxi-dev libxxf86vm-dev libxkbcommon-dev xvfb xdotool imagemagick python3-pip haproxy)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] && [ "$dry" = 1 ]; then
  echo "deps (dry run): would install ${missing[*]}"
elif [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "deps: Debian packages present"
fi
command -v go >/dev/null || { echo "deps: Go 1.26+ is required (https://go.dev/dl)" >&2; exit 1; }
command -v cargo >/dev/null || { echo "deps: cargo is required to build the tokenizers library (install Rust with rustup, or apt-get install cargo)" >&2; exit 1; }
