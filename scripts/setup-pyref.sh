#!/usr/bin/env bash
# setup-pyref.sh: a cached Python venv with PyTorch and sentence-transformers,
# used only by the export check (scripts/check_export_st.py and the Go test
# TestExportLoadsInSentenceTransformers). Everything comes from PyPI through
# pip; nothing else is downloaded. Re-running is cheap: an existing venv that
# already imports both packages is kept.
#
#   scripts/setup-pyref.sh            # creates .cache/pyref (git-ignored)
#   PYREF_DIR=/elsewhere scripts/setup-pyref.sh
#
# PyPI's Linux torch wheel pulls the CUDA runtime packages, several GiB; the
# size is printed at the end.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${PYREF_DIR:-$root/.cache/pyref}"
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
"$dir/bin/python" - <<'PY'
import torch, sentence_transformers, transformers
print(f"pyref: torch {torch.__version__}, transformers {transformers.__version__}, sentence-transformers {sentence_transformers.__version__}")
PY
echo "pyref: size $(du -sh "$dir" | cut -f1) in $dir"
