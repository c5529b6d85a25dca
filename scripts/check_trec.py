#!/usr/bin/env python3
"""Recompute an evaluation's figures from its TREC files with trec_eval.

Usage: python3 scripts/check_trec.py RUN_DIR/eval
Needs: pip install pytrec-eval-terrier (trec_eval's own code, as a Python module).
Prints MRR@10, nDCG@10, MAP and Recall@10 per system, to compare with `precedent eval`.
Queries in qrels without any retrieved relevant ticket count as 0, as in Precedent.
"""
import glob
import os
import sys

import pytrec_eval


def main(d):
    qrels = {}
    for line in open(os.path.join(d, "qrels.txt")):
        q, _, doc, rel = line.split()
        qrels.setdefault(q, {})[doc] = int(rel)
    n = len(qrels)
    for path in sorted(glob.glob(os.path.join(d, "run.*.txt"))):
        name = os.path.basename(path)[len("run."):-len(".txt")]
        run = {}
        for line in open(path):
            q, _, doc, _rank, score, _tag = line.split()
            run.setdefault(q, {})[doc] = float(score)
        res = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "map", "recall.10"}).evaluate(run)
        mrr = 0.0
        for q, docs in run.items():
            top = sorted(docs.items(), key=lambda kv: -kv[1])[:10]
            mrr += next((1 / (i + 1) for i, (doc, _) in enumerate(top) if qrels[q].get(doc, 0) > 0), 0)
        mean = lambda key: sum(r[key] for r in res.values()) / n
        print(f"{name:12s} mrr@10 {mrr / n:.3f}  ndcg@10 {mean('ndcg_cut_10'):.3f}  map {mean('map'):.3f}  recall@10 {mean('recall_10'):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
