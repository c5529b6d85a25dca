#!/usr/bin/env bash
# setup-pyref.sh: a cached Python venv with PyTorch (PyPI's build, with MKL:
# what a Python user installs) and sentence-transformers — the reference the
# tests and `make bench` compare against (the export check, the bench's
# PyTorch rows), and the real rerank clients the serve tests drive (Cohere's
# SDK, LangChain's CohereRerank). Everything comes from PyPI through pip; nothing else is
# downloaded. Re-running is cheap: an existing venv that already imports both
# packages is kept. It lives outside the checkout, so clones share it.
#
#   scripts/setup-pyref.sh            # creates $PRECEDENT_PYREF (default ~/.cache/precedent/pyref)
#
# PyPI's Linux torch wheel pulls the CUDA runtime packages, several GiB; the
# size is printed at the end.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${PRECEDENT_PYREF:-${XDG_CACHE_HOME:-$HOME/.cache}/precedent/pyref}"
py="${PYTHON:-python3}"

if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c 'import torch, sentence_transformers' 2>/dev/null; then
  echo "pyref: $dir already has torch and sentence-transformers"
else
  mkdir -p "$(dirname "$dir")"
  "$py" -m venv "$dir"
  "$dir/bin/pip" install --quiet --upgrade pip
  # PIP_CERT (set by the Makefile from PRECEDENT_CA_BUNDLE) is honoured by pip itself.
  "$dir/bin/pip" install --quiet torch sentence-transformers
fi
# ONNX Runtime for the bench's Python onnxruntime rows: the version
# scripts/fetch-onnxruntime.sh pins for Precedent's own CPU fallback.
ort_ver=$(sed -n 's/^ver=//p' "$root/scripts/fetch-onnxruntime.sh")
if ! "$dir/bin/python" -c "import sys, onnxruntime; sys.exit(onnxruntime.__version__ != '$ort_ver')" 2>/dev/null; then
  "$dir/bin/python" -m pip install --quiet "onnxruntime==$ort_ver"
fi
"$dir/bin/python" -c "import onnxruntime; print('pyref: onnxruntime ' + onnxruntime.__version__)"
# The real rerank clients the serve tests run against a server
# (scripts/check_clients.py): Cohere's SDK (v1 and v2 clients) and LangChain's
# CohereRerank. Pinned, so every venv runs the same clients; kept when present.
cohere_ver=5.21.1
lc_cohere_ver=0.6.0
if ! "$dir/bin/python" - "$cohere_ver" "$lc_cohere_ver" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(version("cohere") != sys.argv[1] or version("langchain-cohere") != sys.argv[2])
PY
then
  "$dir/bin/python" -m pip install --quiet "cohere==$cohere_ver" "langchain-cohere==$lc_cohere_ver"
fi
"$dir/bin/python" -c "from importlib.metadata import version as v; print('pyref: cohere ' + v('cohere') + ', langchain-cohere ' + v('langchain-cohere'))"
"$dir/bin/python" - <<'PY'
import torch, sentence_transformers, transformers
print(f"pyref: torch {torch.__version__}, transformers {transformers.__version__}, sentence-transformers {sentence_transformers.__version__}")
PY
echo "pyref: size $(du -sh "$dir" | cut -f1) in $dir"
