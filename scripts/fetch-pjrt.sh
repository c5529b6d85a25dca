#!/usr/bin/env bash
# Installs the XLA CPU PJRT plugin (pjrt_c_api_cpu_plugin.so) from a PyPI
# package into third_party/pjrt/, so GoMLX can run through XLA offline.
# Never downloads from GitHub or a model hub. A no-op when already installed.
# Usage: scripts/fetch-pjrt.sh [DEST]   (default: <repo>/third_party/pjrt)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$repo/third_party/pjrt}
pkg=lammps-jax-pjrt-cpu
ver=0.11.2
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
