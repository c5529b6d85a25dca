#!/usr/bin/env bash
# Installs the PJRT plugin XLA runs through, from a PyPI package, into
# third_party/pjrt/, so GoMLX can run through XLA offline:
#   Linux x86-64: the XLA CPU plugin (pjrt_c_api_cpu_plugin.so, lammps-jax-pjrt-cpu);
#   macOS arm64:  the Metal plugin (jax-metal's pjrt_plugin_metal_14.dylib,
#                 installed as pjrt_c_api_metal_plugin.dylib and checked with
#                 platform.CheckMachOPlugin: arm64, exports GetPjrtApi).
# Never downloads from GitHub or a model hub. A no-op when already installed.
# Usage: scripts/fetch-pjrt.sh [--dry-run] [DEST]   (default: <repo>/third_party/pjrt)
#   --dry-run: print what would be installed and resolve the wheel on PyPI
#              (metadata only, a few KB) without downloading or writing anything.
#   PRECEDENT_PJRT_OS=darwin PRECEDENT_PJRT_ARCH=arm64: take the macOS branch
#   on any machine (pip's --platform fetches the macOS wheel from Linux too).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dry=0
if [ "${1:-}" = "--dry-run" ]; then dry=1; shift; fi
dest=${1:-$repo/third_party/pjrt}
os=${PRECEDENT_PJRT_OS:-$(uname -s | tr '[:upper:]' '[:lower:]')}
arch=${PRECEDENT_PJRT_ARCH:-$(uname -m)}
if [ "$os" = darwin ]; then
  exec "$repo/scripts/fetch-pjrt-metal.sh" "$dry" "$dest" "$arch"
fi
pkg=lammps-jax-pjrt-cpu
ver=0.11.2
if [ "$dry" = 1 ]; then
  echo "pjrt (dry run, $os-$arch): would install $pkg==$ver's pjrt_c_api_cpu_plugin.so into $dest"
  exit 0
fi
stamp="$dest/.stamp-$pkg-$ver"
if [ -f "$stamp" ] && [ -f "$dest/pjrt_c_api_cpu_plugin.so" ]; then
  echo "pjrt: CPU plugin already in $dest"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "pjrt: no registry-shipped CPU plugin for $(uname -s)-$(uname -m); the pure-Go backend will be used" >&2; exit 0 ;;
esac
py=$(command -v python3 || true)
if [ -z "$py" ]; then echo "pjrt: python3 (pip) is needed to fetch $pkg" >&2; exit 1; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "pjrt: downloading $pkg==$ver from PyPI"
"$py" -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "$pkg==$ver"
mkdir -p "$dest"
(cd "$tmp" && "$py" -m zipfile -e ./*.whl x)
cp "$tmp/x/lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so" "$dest/pjrt_c_api_cpu_plugin.so.tmp"
mv "$dest/pjrt_c_api_cpu_plugin.so.tmp" "$dest/pjrt_c_api_cpu_plugin.so"
cp "$tmp/x/"*.dist-info/licenses/LICENSE "$dest/LICENSE" 2>/dev/null || true
touch "$stamp"
echo "pjrt: CPU plugin installed in $dest"
