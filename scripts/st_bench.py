#!/usr/bin/env python3
"""st_bench.py: what a Python user runs, timed for `precedent bench` (real-shape rows).

Run with the pyref python (make pyref: PyPI torch + sentence-transformers):

    ~/.cache/precedent/pyref/bin/python scripts/st_bench.py --spec SPEC.json --model models/all-MiniLM-L6-v2

SPEC.json is written by the Go bench (bench/realshape.go): the texts of
every workload, generated to the token lengths sampled from a real
length histogram, so both engines see the same inputs. Each workload runs
sentence-transformers end to end, its own tokenization and per-batch
padding included, on the real all-MiniLM-L6-v2 weights:

  rerank  CrossEncoder.predict(one query's candidate pairs, batch_size)
          for every query of the spec: milliseconds per query
  train   CrossEncoder.old_fit (the CrossEncoder.fit training loop; the
          new fit needs `datasets` and `accelerate`, which the reference
          does not install) over the spec's pairs, the encoder cut to
          "layers" layers as the pipeline trains it: pairs per second,
          the first step (warm-up) excluded
  embed   SentenceTransformer.encode(texts, batch_size): texts per second

Each workload is warmed up once, then repeated until --min-time seconds
passed or --max-iters iterations ran (at least one). It also counts the
inputs whose token length under its own tokenizer differs from the one
the spec asked for ("len_mismatch"). It prints one JSON object on stdout;
a workload that fails reports {"error": "..."}.
"""

import argparse
import json
import sys
import time

import torch


def timed(warm, fn, min_time, max_iters):
    warm()
    iters, start = 0, time.perf_counter()
    while True:
        fn()
        iters += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time or iters >= max_iters:
            return iters, elapsed


def mismatches(tok, items, want, max_len, pair):
    """Inputs whose token count (special tokens included) differs from want."""
    bad = 0
    for it, n in zip(items, want):
        if pair:
            enc = tok(it[0], it[1], truncation="longest_first", max_length=max_len)
        else:
            enc = tok(it, truncation=True, max_length=max_len)
        bad += len(enc["input_ids"]) != n
    return bad


def bench_rerank(a, spec):
    from sentence_transformers import CrossEncoder

    w = spec["rerank"]
    ce = CrossEncoder(a.model, num_labels=1, max_length=w["max_len"], device="cpu")
    queries = [[(p[0], p[1]) for p in q] for q in w["queries"]]
    flat = [p for q in queries for p in q]
    bad = mismatches(ce.tokenizer, flat, [n for q in w["lengths"] for n in q], w["max_len"], True)

    def run():
        with torch.inference_mode():
            for q in queries:
                ce.predict(q, batch_size=w["batch"], show_progress_bar=False)

    iters, sec = timed(lambda: ce.predict(queries[0], batch_size=w["batch"], show_progress_bar=False), run,
                       a.min_time, a.max_iters)
    return {"iters": iters, "seconds": sec, "calls": iters * len(queries),
            "ms_per_query": 1000 * sec / (iters * len(queries)), "len_mismatch": bad}


class _StampedLoader(torch.utils.data.DataLoader):
    """A DataLoader that records when each batch is handed out: batch i is
    fetched once step i-1 has finished."""

    def __iter__(self):
        self.stamps = []
        for b in super().__iter__():
            self.stamps.append(time.perf_counter())
            yield b


def bench_train(a, spec):
    from sentence_transformers import CrossEncoder, InputExample

    w = spec["train"]
    ce = CrossEncoder(a.model, num_labels=1, max_length=w["max_len"], device="cpu")
    bert = ce.model.bert
    bert.encoder.layer = bert.encoder.layer[: w["layers"]]
    ce.model.config.num_hidden_layers = w["layers"]
    pairs = [(p[0], p[1]) for p in w["pairs"]]
    bad = mismatches(ce.tokenizer, pairs, w["lengths"], w["max_len"], True)
    examples = [InputExample(texts=[p[0], p[1]], label=float(y)) for p, y in zip(pairs, w["labels"])]
    batch = w["batch"]

    def fit(n_steps):
        loader = _StampedLoader(examples[: n_steps * batch], batch_size=batch, shuffle=True)
        start = time.perf_counter()
        ce.old_fit(loader, epochs=1, warmup_steps=10, optimizer_params={"lr": 1e-4}, show_progress_bar=False)
        return loader.stamps, time.perf_counter() - start

    fit(1)  # warm-up: thread pool, allocator
    steps = min(w["steps"] + 1, len(examples) // batch)  # the first step of each call is not timed
    iters, sec = 0, 0.0
    t0 = time.perf_counter()
    while True:
        stamps, _ = fit(steps)
        end = time.perf_counter()
        iters += len(stamps) - 1  # steps after the first of this fit call
        sec += end - stamps[1]
        if time.perf_counter() - t0 >= a.min_time or iters >= a.max_iters * (steps - 1):
            break
    return {"iters": iters, "seconds": sec, "pairs_per_s": iters * batch / sec, "len_mismatch": bad}


def bench_embed(a, spec):
    from sentence_transformers import SentenceTransformer

    w = spec["embed"]
    st = SentenceTransformer(a.model, device="cpu")
    st.max_seq_length = w["max_len"]
    texts = w["texts"]
    bad = mismatches(st.tokenizer, texts, w["lengths"], w["max_len"], False)

    def run():
        st.encode(texts, batch_size=w["batch"], show_progress_bar=False)

    iters, sec = timed(lambda: st.encode(texts[: w["batch"]], batch_size=w["batch"], show_progress_bar=False), run,
                       a.min_time, a.max_iters)
    return {"iters": iters, "seconds": sec, "texts_per_s": iters * len(texts) / sec, "len_mismatch": bad}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", required=True, help="JSON written by the Go bench")
    ap.add_argument("--model", required=True, help="all-MiniLM-L6-v2 folder (Hugging Face layout)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--min-time", type=float, default=3.0)
    ap.add_argument("--max-iters", type=int, default=5)
    ap.add_argument("--only", default="rerank,train,embed", help="comma-separated workloads")
    a = ap.parse_args()
    torch.set_num_threads(max(1, a.threads))
    with open(a.spec) as f:
        spec = json.load(f)
    import sentence_transformers

    out = {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__,
           "threads": torch.get_num_threads()}
    for name, fn in (("rerank", bench_rerank), ("train", bench_train), ("embed", bench_embed)):
        if name not in a.only.split(",") or name not in spec:
            continue
        try:
            out[name] = fn(a, spec)
        except Exception as e:  # report, keep going: one failed workload must not hide the others
            out[name] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
