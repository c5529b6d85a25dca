#!/usr/bin/env bash
# The macOS branch of scripts/fetch-pjrt.sh (call that, not this): installs
# the XLA Metal PJRT plugin from PyPI's jax-metal wheel for macOS 13+ arm64
# as DEST/pjrt_c_api_metal_plugin.dylib — the name platform.PJRTPlugins looks
# for — and refuses a corrupt or wrong-arch file (platform.CheckMachOPlugin).
# pip's --platform flag makes it work from Linux as well, so CI can run it.
# Usage: scripts/fetch-pjrt-metal.sh DRY(0|1) DEST ARCH
set -euo pipefail
dry=$1 dest=$2 arch=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
pkg=jax-metal
ver=0.1.1
wheel_platform=macosx_13_0_arm64
member=jax_plugins/metal_plugin/pjrt_plugin_metal_14.dylib
file=pjrt_c_api_metal_plugin.dylib
stamp="$dest/.stamp-$pkg-$ver"
if [ "$arch" != arm64 ]; then
  echo "pjrt: jax-metal is for Apple silicon only (this Mac is $arch); the pure-Go backend will be used" >&2
  exit 0
fi
py=$(command -v python3 || true)
if [ -z "$py" ]; then echo "pjrt: python3 (pip) is needed to fetch $pkg (install the Xcode command line tools: xcode-select --install)" >&2; exit 1; fi
pipflags=(--no-deps --only-binary=:all: --platform "$wheel_platform")
if [ "$dry" = 1 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # Resolves the wheel on PyPI from its metadata alone: proves the pinned
  # version still exists for macOS arm64 without the 41 MB download.
  "$py" -m pip install --quiet --dry-run --ignore-installed "${pipflags[@]}" --target "$tmp/t" --report "$tmp/report.json" "$pkg==$ver"
  "$py" - "$tmp/report.json" "$pkg" "$ver" <<'PY'
import json, sys
report, pkg, ver = sys.argv[1:]
items = json.load(open(report))["install"]
if len(items) != 1 or items[0]["metadata"]["version"] != ver:
    sys.exit(f"pjrt: PyPI resolved {[(i['metadata']['name'], i['metadata']['version']) for i in items]}, want {pkg}=={ver}")
info = items[0]["download_info"]
print(f"pjrt: resolved {info['url'].rsplit('/', 1)[-1]} ({info.get('archive_info', {}).get('hash', 'no hash')})")
PY
  echo "pjrt (dry run, darwin-$arch): would download $pkg==$ver for $wheel_platform and install $member as $dest/$file"
  exit 0
fi
if [ -f "$stamp" ] && [ -f "$dest/$file" ]; then
  echo "pjrt: Metal plugin already in $dest"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "pjrt: downloading $pkg==$ver ($wheel_platform, ~41 MB) from PyPI"
"$py" -m pip download --quiet "${pipflags[@]}" --dest "$tmp" "$pkg==$ver"
"$py" - "$tmp" "$member" <<'PY'
import glob, sys, zipfile
tmp, member = sys.argv[1:]
wheels = glob.glob(tmp + "/*.whl")
if len(wheels) != 1:
    sys.exit(f"pjrt: expected one wheel in {tmp}, found {wheels}")
with zipfile.ZipFile(wheels[0]) as z:
    if member not in z.namelist():
        sys.exit(f"pjrt: {wheels[0]} has no {member}")
    z.extract(member, tmp + "/x")
    lic = [n for n in z.namelist() if n.endswith(".dist-info/LICENSE")]
    if lic:
        z.extract(lic[0], tmp + "/x")
PY
got="$tmp/x/$member"
# The Mach-O check (arm64, exports GetPjrtApi) is Go's debug/macho, through
# the platform test that reads PRECEDENT_METAL_PLUGIN; Go is a set-up
# requirement already (scripts/install-deps.sh).
if command -v go >/dev/null; then
  if ! out=$(cd "$repo" && CGO_ENABLED=0 PRECEDENT_METAL_PLUGIN="$got" go test -count=1 -run '^TestMetalPluginFile$' ./platform/ 2>&1); then
    echo "$out" | grep -m1 'PJRT plugin' >&2 || echo "$out" >&2
    echo "pjrt: refused the downloaded $member (nothing installed)" >&2
    exit 1
  fi
  echo "pjrt: checked $member: arm64 dylib exporting GetPjrtApi"
else
  echo "pjrt: go not found, the Mach-O check is left to the first run" >&2
fi
mkdir -p "$dest"
cp "$got" "$dest/$file.tmp"
mv "$dest/$file.tmp" "$dest/$file"
cp "$tmp"/x/*.dist-info/LICENSE "$dest/LICENSE-jax-metal" 2>/dev/null || true
touch "$stamp"
echo "pjrt: Metal plugin installed as $dest/$file"
