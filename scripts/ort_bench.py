#!/usr/bin/env python3
"""ort_bench.py: Python onnxruntime timings for `precedent bench`.

Times the ONNX graph Precedent exports (package ml/onnx) — the same graph
its own ONNX Runtime fallback runs from Go — in PyPI's onnxruntime, as a
Python user would run it:

    python scripts/ort_bench.py --model rerank.onnx --output logits --rows 50 --seq 128 --threads 2

Inputs are random token ids, every token real (no padding), token types 0
then 1 in the second half when --pairs. One warm-up call, then calls until
--min-time seconds passed or --max-iters ran (at least one). Prints one
JSON object: {"iters", "seconds", "version", "threads"} or {"error"}.
"""

import argparse
import json
import time

import numpy as np
import onnxruntime as ort


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--seq", type=int, required=True)
    p.add_argument("--vocab", type=int, default=30522)
    p.add_argument("--pairs", action="store_true")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--min-time", type=float, default=3.0)
    p.add_argument("--max-iters", type=int, default=20)
    a = p.parse_args()
    try:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = a.threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(a.model, opts, providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(1)
        ids = rng.integers(min(1000, a.vocab // 2), a.vocab, size=(a.rows, a.seq), dtype=np.int64)
        types = np.zeros((a.rows, a.seq), dtype=np.int64)
        if a.pairs:
            types[:, a.seq // 2:] = 1
        feed = {"input_ids": ids, "token_type_ids": types, "attention_mask": np.ones((a.rows, a.seq), dtype=np.int64)}
        sess.run([a.output], feed)
        iters, start = 0, time.perf_counter()
        while iters < a.max_iters and (iters == 0 or time.perf_counter() - start < a.min_time):
            sess.run([a.output], feed)
            iters += 1
        out = {"iters": iters, "seconds": time.perf_counter() - start, "version": ort.__version__, "threads": a.threads}
    except Exception as e:  # reported as the row's error
        out = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
