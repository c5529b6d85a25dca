#!/usr/bin/env bash
# check-app.sh — verify a built Precedent.app: Info.plist carries
# FyneApp.toml's bundle ID and version, the executable is darwin/arm64, the
# XLA Metal plugin in Contents/Frameworks is an arm64 dylib exporting
# GetPjrtApi (platform.CheckMachOPlugin), and, on a Mac, the signature holds.
# Runs on Linux too (CI checks a stand-in bundle through fyne-cross/app_test.go).
# Usage: fyne-cross/check-app.sh [build/dist/Precedent.app]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
APP="${1:-$ROOT/build/dist/Precedent.app}"
fail() { echo "check-app: $APP: $*" >&2; exit 1; }
[[ -d "$APP/Contents" ]] || fail "not an app bundle (no Contents/)"
[[ -f "$APP/Contents/Info.plist" ]] || fail "no Contents/Info.plist"
want_id=$(sed -n 's/^ *ID *= *"\(.*\)"/\1/p' "$ROOT/FyneApp.toml")
want_ver=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' "$ROOT/FyneApp.toml")
read -r id ver exe < <(python3 - "$APP/Contents/Info.plist" <<'PY'
import plistlib, sys
with open(sys.argv[1], "rb") as f:
    p = plistlib.load(f)
print(p.get("CFBundleIdentifier", "-"), p.get("CFBundleShortVersionString", "-"), p.get("CFBundleExecutable", "-"))
PY
)
[[ "$id" == "$want_id" ]] || fail "bundle ID $id, FyneApp.toml says $want_id"
[[ "$ver" == "$want_ver" ]] || fail "version $ver, FyneApp.toml says $want_ver"
bin="$APP/Contents/MacOS/$exe"
[[ -x "$bin" ]] || fail "executable Contents/MacOS/$exe missing or not executable"
info=$(go version -m "$bin" 2>&1) || fail "Contents/MacOS/$exe is not a Go executable: $info"
grep -q 'GOOS=darwin' <<<"$info" && grep -q 'GOARCH=arm64' <<<"$info" ||
	fail "Contents/MacOS/$exe is not built for darwin/arm64: $(grep -E 'GOOS|GOARCH' <<<"$info" | tr -s ' \t\n' ' ')"
plugin="$APP/Contents/Frameworks/pjrt_c_api_metal_plugin.dylib"
[[ -f "$plugin" ]] || fail "no Metal plugin in Contents/Frameworks (make pjrt, then make app): the app would train on the pure-Go backend"
if ! out=$(cd "$ROOT" && CGO_ENABLED=0 PRECEDENT_METAL_PLUGIN="$plugin" go test -count=1 -run '^TestMetalPluginFile$' ./platform/ 2>&1); then
	fail "$(grep -m1 'PJRT plugin' <<<"$out" || echo "$out")"
fi
if [[ "$(uname -s)" == Darwin ]]; then
	codesign --verify --deep --strict "$APP" 2>&1 || fail "signature does not verify: codesign --force --deep -s - $APP"
	signed="signature verified"
else
	signed="signature not checked (not a Mac)"
fi
echo "check-app: ok: $id $ver, Contents/MacOS/$exe darwin/arm64, Metal plugin arm64 exporting GetPjrtApi, $signed"
