#!/usr/bin/env bash
# setup-infinity.sh: a cached Python venv with Infinity (infinity-emb on PyPI,
# michaelfeil/infinity), another serving engine for Hugging Face rerankers, so
# TestInfinitySameOrder (cmd/precedent) can load an export in it and compare
# its /rerank order with `precedent serve`'s. Everything comes from PyPI through
# pip; nothing else is downloaded. Re-running is cheap: a venv whose
# infinity_emb already imports (with torch) is kept.
#
#   scripts/setup-infinity.sh      # creates $PRECEDENT_INFINITY (default ~/.cache/precedent/infinity)
#
# Infinity pins sentence-transformers < 4, transformers < 5 and numpy < 2, which
# the pyref venv (scripts/setup-pyref.sh) has newer, so it needs a venv of its
# own. To avoid a second multi-GiB torch download it borrows the pyref venv's
# torch, triton and NVIDIA/CUDA runtime packages: symlinks to them in
# $dir/borrowed, put on sys.path by a .pth file after the venv's own
# site-packages. pip sees their metadata as installed and leaves them alone (it
# never uninstalls outside its own environment); nothing is written into pyref.
# Without a pyref venv that has torch, pip installs PyPI's torch here instead.
set -euo pipefail

dir="${PRECEDENT_INFINITY:-${XDG_CACHE_HOME:-$HOME/.cache}/precedent/infinity}"
pyref="${PRECEDENT_PYREF:-${XDG_CACHE_HOME:-$HOME/.cache}/precedent/pyref}"
py="${PYTHON:-python3}"
infinity_ver=0.0.78
# Importing infinity_emb makes .infinity_cache under $INFINITY_HOME, else in the
# working folder: keep it in the venv, out of the checkout.
export INFINITY_HOME="$dir"

# Kept when it imports and none of its borrowed links dangles (pyref re-made
# with another torch makes them dangle).
if [ -x "$dir/bin/python" ] && [ -z "$(find "$dir/borrowed" -xtype l 2>/dev/null)" ] &&
   "$dir/bin/python" - "$infinity_ver" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
import torch, infinity_emb  # noqa: F401
sys.exit(version("infinity-emb") != sys.argv[1])
PY
then
  echo "infinity: $dir already has infinity-emb $infinity_ver"
else
  mkdir -p "$(dirname "$dir")"
  "$py" -m venv "$dir"   # over an existing one: kept, and pip below completes it
  "$dir/bin/pip" install --quiet --upgrade pip
  site=$("$dir/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  if [ -x "$pyref/bin/python" ] && "$pyref/bin/python" -c 'import torch' 2>/dev/null; then
    src=$("$pyref/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    rm -rf "$dir/borrowed"
    mkdir -p "$dir/borrowed"
    # torch and the compiled runtime it loads; its small pure-Python
    # dependencies (sympy, networkx, jinja2, ...) pip installs here.
    for p in "$src"/torch "$src"/torchgen "$src"/functorch "$src"/torch-*.dist-info \
             "$src"/triton "$src"/triton-*.dist-info \
             "$src"/nvidia "$src"/nvidia_*.dist-info "$src"/cuda "$src"/cuda_*.dist-info; do
      [ -e "$p" ] && ln -s "$p" "$dir/borrowed/"
    done
    echo "$dir/borrowed" > "$site/precedent-borrowed-torch.pth"
    echo "infinity: borrowing torch $("$pyref/bin/python" -c 'import torch; print(torch.__version__)') from $pyref"
  fi
  # PIP_CERT (set by the Makefile from PRECEDENT_CA_BUNDLE) is honoured by pip itself.
  "$dir/bin/pip" install --quiet "infinity-emb[server,torch]==$infinity_ver"
fi
"$dir/bin/python" - <<'PY'
from importlib.metadata import version as v
import torch
print("infinity: infinity-emb " + v("infinity-emb") + ", torch " + torch.__version__ + " (" + torch.__file__.rsplit("/", 2)[0] + ")"
      + ", sentence-transformers " + v("sentence-transformers") + ", transformers " + v("transformers") + ", numpy " + v("numpy"))
PY
echo "infinity: size $(du -sh "$dir" | cut -f1) in $dir (borrowed torch not counted)"
