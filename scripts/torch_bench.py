#!/usr/bin/python3
"""torch_bench.py: PyTorch reference timings for `precedent bench`.

Run with the system python (Debian python3-torch); it needs only torch:

    /usr/bin/python3 scripts/torch_bench.py --threads 2          # MiniLM-L6 shapes
    /usr/bin/python3 scripts/torch_bench.py --threads 2 --only rerank --min-time 3

It builds the same BERT encoder as the Go engine (the forward pass of
scripts/torch_reference.py: post-LN layers, additive mask, exact-erf GELU,
BERT pooler + 1-logit classifier for the cross-encoder, mean pooling + L2
normalisation for the bi-encoder), in float32 with random N(0, 0.02)
weights, and times three workloads, warm-up excluded:

  train   cross-encoder training step (dropout 0.1, BCE with logits, global
          norm clipping to 1.0, AdamW without decay on biases/LayerNorm),
          --train-layers layers, --train-batch rows x --seq tokens: pairs/s
  rerank  cross-encoder forward, --layers layers, --rerank rows x --seq
          tokens, no_grad: milliseconds per query
  embed   bi-encoder forward, --layers layers, --embed rows x --seq tokens,
          no_grad: texts/s

Each is warmed up once on 2 rows (eager PyTorch compiles nothing per shape),
then repeated until --min-time seconds have passed or --max-iters
iterations ran (at least one). It prints one JSON
object on stdout; a workload that fails reports {"error": "..."}.
"""

import argparse
import json
import math
import sys
import time

import torch
import torch.nn.functional as F


def make_weights(a, layers, head, gen):
    """Random BERT weights under HF canonical names, as ml/model FromScratch draws them."""
    shapes = {
        "embeddings.word_embeddings.weight": (a.vocab, a.hidden),
        "embeddings.position_embeddings.weight": (a.max_pos, a.hidden),
        "embeddings.token_type_embeddings.weight": (2, a.hidden),
        "embeddings.LayerNorm.weight": (a.hidden,),
        "embeddings.LayerNorm.bias": (a.hidden,),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            shapes[p + name + ".weight"] = (a.hidden, a.hidden)
            shapes[p + name + ".bias"] = (a.hidden,)
        shapes[p + "intermediate.dense.weight"] = (a.inter, a.hidden)
        shapes[p + "intermediate.dense.bias"] = (a.inter,)
        shapes[p + "output.dense.weight"] = (a.hidden, a.inter)
        shapes[p + "output.dense.bias"] = (a.hidden,)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[p + ln + ".weight"] = (a.hidden,)
            shapes[p + ln + ".bias"] = (a.hidden,)
    if head:
        shapes["pooler.dense.weight"] = (a.hidden, a.hidden)
        shapes["pooler.dense.bias"] = (a.hidden,)
        shapes["classifier.weight"] = (1, a.hidden)
        shapes["classifier.bias"] = (1,)
    w = {}
    for name, shape in shapes.items():
        if len(shape) == 1:
            t = torch.ones(shape) if name.endswith("LayerNorm.weight") else torch.zeros(shape)
        else:
            t = torch.randn(shape, generator=gen) * 0.02
        w[name] = torch.nn.Parameter(t)
    return w


def linear(x, w, prefix):
    return F.linear(x, w[prefix + ".weight"], w[prefix + ".bias"])


def layer_norm(x, w, prefix, eps):
    return F.layer_norm(x, (x.shape[-1],), w[prefix + ".weight"], w[prefix + ".bias"], eps)


def encoder(a, layers, w, ids, types, mask, p_drop, training):
    """HF BertModel's last_hidden_state (copied from torch_reference.py, with dropout)."""
    eps, heads, hidden = 1e-12, a.heads, a.hidden
    d = hidden // heads
    pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
    x = (
        F.embedding(ids, w["embeddings.word_embeddings.weight"])
        + F.embedding(types, w["embeddings.token_type_embeddings.weight"])
        + F.embedding(pos, w["embeddings.position_embeddings.weight"])
    )
    x = F.dropout(layer_norm(x, w, "embeddings.LayerNorm", eps), p_drop, training)
    B, L, _ = x.shape
    ext = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def split(t):
            return t.view(B, L, heads, d).permute(0, 2, 1, 3)

        q = split(linear(x, w, p + "attention.self.query"))
        k = split(linear(x, w, p + "attention.self.key"))
        v = split(linear(x, w, p + "attention.self.value"))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + ext
        probs = F.dropout(torch.softmax(scores, dim=-1), p_drop, training)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(B, L, hidden)
        attn = F.dropout(linear(ctx, w, p + "attention.output.dense"), p_drop, training)
        attn = layer_norm(attn + x, w, p + "attention.output.LayerNorm", eps)
        inter = F.gelu(linear(attn, w, p + "intermediate.dense"))  # exact erf GELU
        out = F.dropout(linear(inter, w, p + "output.dense"), p_drop, training)
        x = layer_norm(out + attn, w, p + "output.LayerNorm", eps)
    return x


def cross_logits(a, layers, w, ids, types, mask, p_drop, training):
    h = encoder(a, layers, w, ids, types, mask, p_drop, training)
    pooled = torch.tanh(linear(h[:, 0], w, "pooler.dense"))
    return linear(F.dropout(pooled, p_drop, training), w, "classifier").squeeze(-1)


def embeddings(a, layers, w, ids, types, mask):
    h = encoder(a, layers, w, ids, types, mask, 0.0, False)
    m = mask.unsqueeze(-1).to(h.dtype)
    pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return F.normalize(pooled, p=2, dim=1)


def batch(a, rows, gen, pair):
    """Random token IDs over the whole sequence (no padding); a pair's second half has type 1."""
    ids = torch.randint(min(1000, a.vocab // 2), a.vocab, (rows, a.seq), generator=gen)
    types = torch.zeros(rows, a.seq, dtype=torch.long)
    if pair:
        types[:, a.seq // 2 :] = 1
    return ids, types, torch.ones(rows, a.seq, dtype=torch.long)


def timed(warm, fn, min_time, max_iters):
    """Runs warm once (the same work on 2 rows: eager PyTorch compiles
    nothing per shape, this starts its thread pool, allocator and optimizer
    state), then fn until min_time has passed or max_iters ran."""
    warm()
    iters, start = 0, time.perf_counter()
    while True:
        fn()
        iters += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time or iters >= max_iters:
            return iters, elapsed


def bench_train(a, gen):
    w = make_weights(a, a.train_layers, True, gen)
    decay = [p for n, p in w.items() if n.endswith(".weight") and "LayerNorm" not in n]
    no_decay = [p for n, p in w.items() if not (n.endswith(".weight") and "LayerNorm" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=2e-5, betas=(0.9, 0.999), eps=1e-8)
    ids, types, mask = batch(a, a.train_batch, gen, True)
    labels = torch.zeros(a.train_batch)
    labels[::4] = 1  # one positive per three negatives, as the Go bench
    pos_weight = torch.tensor(float((labels == 0).sum()) / float(labels.sum()))
    params = list(w.values())

    def step(rows):
        opt.zero_grad(set_to_none=True)
        logits = cross_logits(a, a.train_layers, w, ids[:rows], types[:rows], mask[:rows], 0.1, True)
        loss = F.binary_cross_entropy_with_logits(logits, labels[:rows], pos_weight=pos_weight)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    iters, sec = timed(lambda: step(2), lambda: step(a.train_batch), a.min_time, a.max_iters)
    return {"iters": iters, "seconds": sec, "pairs_per_s": iters * a.train_batch / sec}


def bench_rerank(a, gen):
    w = make_weights(a, a.layers, True, gen)
    ids, types, mask = batch(a, a.rerank, gen, True)

    def score(rows):
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
            cross_logits(a, a.layers, w, ids[:rows], types[:rows], mask[:rows], 0.0, False)

    iters, sec = timed(lambda: score(2), lambda: score(a.rerank), a.min_time, a.max_iters)
    return {"iters": iters, "seconds": sec, "ms_per_query": 1000 * sec / iters}


def bench_embed(a, gen):
    w = make_weights(a, a.layers, False, gen)
    ids, types, mask = batch(a, a.embed, gen, False)

    def embed(rows):
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
            embeddings(a, a.layers, w, ids[:rows], types[:rows], mask[:rows])

    iters, sec = timed(lambda: embed(2), lambda: embed(a.embed), a.min_time, a.max_iters)
    return {"iters": iters, "seconds": sec, "texts_per_s": iters * a.embed / sec}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--vocab", type=int, default=30522)
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--inter", type=int, default=1536)
    ap.add_argument("--max-pos", type=int, default=512)
    ap.add_argument("--layers", type=int, default=6, help="encoder layers for rerank and embed")
    ap.add_argument("--train-layers", type=int, default=2, help="encoder layers for train")
    ap.add_argument("--seq", type=int, default=128, help="tokens per row")
    ap.add_argument("--train-batch", type=int, default=16)
    ap.add_argument("--rerank", type=int, default=50, help="candidates per query")
    ap.add_argument("--embed", type=int, default=64, help="texts per batch")
    ap.add_argument("--min-time", type=float, default=5.0, help="seconds to time each workload for")
    ap.add_argument("--max-iters", type=int, default=20)
    ap.add_argument("--only", default="train,rerank,embed", help="comma-separated workloads")
    ap.add_argument("--bf16", action="store_true",
                    help="rerank and embed under torch.autocast('cpu', bfloat16): linear layers in bfloat16, "
                         "as GoMLX's bf16 precision (what a Python user turns on for CPU inference)")
    a = ap.parse_args()
    torch.set_num_threads(max(1, a.threads))
    gen = torch.Generator().manual_seed(1)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "bf16": a.bf16}
    for name, fn in (("train", bench_train), ("rerank", bench_rerank), ("embed", bench_embed)):
        if name not in a.only.split(","):
            continue
        try:
            out[name] = fn(a, gen)
        except Exception as e:  # report, keep going: one failed workload must not hide the others
            out[name] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
