#!/usr/bin/env python3
"""check_export_st.py: an exported Precedent model loads in sentence-transformers
and scores like Precedent.

    precedent pairtext --model DIR --score --precision f32 --json QUERY_ID CAND_ID... > pairs.json
    .cache/pyref/bin/python scripts/check_export_st.py --model DIR --pairs pairs.json

It loads DIR with sentence_transformers.CrossEncoder (max_length from
DIR/precedent.json), scores the (query_text, doc_text) pairs that
`precedent pairtext` printed with the identity activation (raw logits, as
Precedent reports them), checks that the Hugging Face tokenizer produces the
same input_ids, and prints one JSON line:
{"pairs", "max_abs_diff", "token_mismatches", "ok"}. Exit 1 when a score
differs by more than --tol (default 1e-4) or a tokenization differs.
"""
import argparse
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--pairs", required=True, help="JSON printed by `precedent pairtext --score --json`")
    ap.add_argument("--tol", type=float, default=1e-4)
    a = ap.parse_args()

    import torch
    from sentence_transformers import CrossEncoder

    with open(os.path.join(a.model, "precedent.json")) as f:
        spec = json.load(f)
    with open(a.pairs) as f:
        doc = json.load(f)
    pairs = doc["pairs"]
    if not pairs or any(p.get("score") is None for p in pairs):
        sys.exit(f"{a.pairs}: want pairs with scores (precedent pairtext --score --json)")
    max_len = spec["max_len"]

    ce = CrossEncoder(a.model, device="cpu", max_length=max_len, local_files_only=True)
    texts = [(p["query_text"], p["doc_text"]) for p in pairs]
    scores = ce.predict(texts, activation_fn=torch.nn.Identity(), batch_size=16, convert_to_numpy=True)

    tok = getattr(ce, "tokenizer", None) or getattr(ce, "processor", None)
    mismatches = 0
    for p in pairs:
        enc = tok(p["query_text"], p["doc_text"], truncation="longest_first", max_length=max_len)
        if list(enc["input_ids"]) != list(p["input_ids"]):
            mismatches += 1
    diffs = [abs(float(s) - float(p["score"])) for s, p in zip(scores.reshape(-1), pairs)]
    out = {"pairs": len(pairs), "max_abs_diff": max(diffs), "token_mismatches": mismatches,
           "ok": max(diffs) <= a.tol and mismatches == 0, "tol": a.tol}
    print(json.dumps(out))
    sys.exit(0 if out["ok"] else 1)


if __name__ == "__main__":
    main()
