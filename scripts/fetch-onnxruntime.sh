#!/usr/bin/env bash
# Installs the ONNX Runtime shared library, Precedent's CPU fallback for
# inference when no PJRT plugin loads (ml/ort), from PyPI's onnxruntime
# wheel into third_party/onnxruntime/ — the library only, not the Python
# bindings:
#   Linux x86-64 / aarch64: libonnxruntime.so   (manylinux_2_28 wheel)
#   macOS 14+ arm64:        libonnxruntime.dylib (macosx_14_0_arm64 wheel)
# The file name is the one platform.ORTLibrary looks for. Never downloads
# from GitHub. A no-op when the pinned version is already installed.
# Usage: scripts/fetch-onnxruntime.sh [--dry-run] [DEST]   (default: <repo>/third_party/onnxruntime)
#   --dry-run: resolve the wheel on PyPI (metadata only, a few KB) and print
#              what would be installed, without downloading or writing anything.
#   PRECEDENT_ORT_OS=darwin PRECEDENT_ORT_ARCH=arm64: take the macOS branch
#   on any machine (pip's --platform fetches the macOS wheel from Linux too).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dry=0
if [ "${1:-}" = "--dry-run" ]; then dry=1; shift; fi
dest=${1:-$repo/third_party/onnxruntime}
os=${PRECEDENT_ORT_OS:-$(uname -s | tr '[:upper:]' '[:lower:]')}
arch=${PRECEDENT_ORT_ARCH:-$(uname -m)}
pkg=onnxruntime
# 1.29.0 speaks C API 24 and newer, which github.com/yalue/onnxruntime_go
# v1.27.0 asks for; its macOS wheel needs macOS 14 (no 1.24+ wheel exists
# for macOS 13).
ver=1.29.0
case "$os-$arch" in
  linux-x86_64) wheel_platform=manylinux_2_28_x86_64 member=onnxruntime/capi/libonnxruntime.so.$ver file=libonnxruntime.so magic=7f454c46 ;;
  linux-aarch64 | linux-arm64) wheel_platform=manylinux_2_28_aarch64 member=onnxruntime/capi/libonnxruntime.so.$ver file=libonnxruntime.so magic=7f454c46 ;;
  darwin-arm64) wheel_platform=macosx_14_0_arm64 member=onnxruntime/capi/libonnxruntime.$ver.dylib file=libonnxruntime.dylib magic=cffaedfe0c000001 ;;
  *) echo "onnxruntime: no PyPI wheel for $os-$arch; inference falls back to the pure-Go backend" >&2; exit 0 ;;
esac
stamp="$dest/.stamp-$pkg-$ver"
py=$(command -v python3 || true)
if [ -z "$py" ]; then echo "onnxruntime: python3 (pip) is needed to fetch $pkg" >&2; exit 1; fi
# --python-version: the shared library is the same in every cp3X wheel; pin
# one so the resolution does not depend on the local Python.
pipflags=(--no-deps --only-binary=:all: --platform "$wheel_platform" --python-version 3.12)
if [ "$dry" = 1 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$py" -m pip install --quiet --dry-run --ignore-installed "${pipflags[@]}" --target "$tmp/t" --report "$tmp/report.json" "$pkg==$ver"
  "$py" - "$tmp/report.json" "$pkg" "$ver" <<'PY'
import json, sys
report, pkg, ver = sys.argv[1:]
items = json.load(open(report))["install"]
if len(items) != 1 or items[0]["metadata"]["version"] != ver:
    sys.exit(f"onnxruntime: PyPI resolved {[(i['metadata']['name'], i['metadata']['version']) for i in items]}, want {pkg}=={ver}")
info = items[0]["download_info"]
print(f"onnxruntime: resolved {info['url'].rsplit('/', 1)[-1]} ({info.get('archive_info', {}).get('hash', 'no hash')})")
PY
  echo "onnxruntime (dry run, $os-$arch): would download $pkg==$ver for $wheel_platform and install $member as $dest/$file"
  exit 0
fi
if [ -f "$stamp" ] && [ -f "$dest/$file" ]; then
  echo "onnxruntime: $pkg $ver already in $dest"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "onnxruntime: downloading $pkg==$ver ($wheel_platform, ~22 MB) from PyPI"
"$py" -m pip download --quiet "${pipflags[@]}" --dest "$tmp" "$pkg==$ver"
"$py" - "$tmp" "$member" "$magic" <<'PY'
import glob, sys, zipfile
tmp, member, magic = sys.argv[1:]
wheels = glob.glob(tmp + "/*.whl")
if len(wheels) != 1:
    sys.exit(f"onnxruntime: expected one wheel in {tmp}, found {wheels}")
with zipfile.ZipFile(wheels[0]) as z:
    if member not in z.namelist():
        sys.exit(f"onnxruntime: {wheels[0]} has no {member}")
    z.extract(member, tmp + "/x")
    for n in ("onnxruntime/LICENSE", "onnxruntime/ThirdPartyNotices.txt"):
        if n in z.namelist():
            z.extract(n, tmp + "/x")
head = open(f"{tmp}/x/{member}", "rb").read(len(magic) // 2).hex()
if head != magic:
    sys.exit(f"onnxruntime: {member} starts with {head}, not the {magic} of a library for this platform (nothing installed)")
PY
mkdir -p "$dest"
cp "$tmp/x/$member" "$dest/$file.tmp"
mv "$dest/$file.tmp" "$dest/$file"
cp "$tmp/x/onnxruntime/LICENSE" "$dest/LICENSE" 2>/dev/null || true
cp "$tmp/x/onnxruntime/ThirdPartyNotices.txt" "$dest/ThirdPartyNotices.txt" 2>/dev/null || true
rm -f "$dest"/.stamp-$pkg-*
touch "$stamp"
echo "onnxruntime: $pkg $ver installed as $dest/$file"
