#!/usr/bin/python3
"""torch_reference.py: reference outputs for the Go BERT / XLM-R encoders.

Run with the system python (Debian python3-torch); it needs only torch:

    /usr/bin/python3 scripts/torch_reference.py            # tiny fixtures + MiniLM reference
    /usr/bin/python3 scripts/torch_reference.py --check    # also cross-check vs nn.TransformerEncoderLayer
                                                           # and transformers when importable, e.g. from
    python3 -m venv --system-site-packages /tmp/tfvenv && /tmp/tfvenv/bin/pip install transformers==4.40.2
    /tmp/tfvenv/bin/python scripts/torch_reference.py --check

It writes, under ml/hf/testdata/ (see the README there for the JSON format):

  bert-tiny/        BertModel (no head), mean pooling + Normalize, random weights
  bert-tiny-cross/  BertForSequenceClassification (1 label), random weights
  xlmr-tiny-cross/  XLMRobertaForSequenceClassification (1 label), random weights
  minilm_reference.json  embeddings of the real all-MiniLM-L6-v2 (models/, from
                         scripts/fetch-weights.sh); skipped when that folder is absent

Each tiny folder holds config.json, model.safetensors, tokenizer.json (a
WordLevel stand-in: tests feed token IDs directly) and expected.json.

transformers is not available here, so the forward pass below follows
transformers' modeling_bert.py / modeling_xlm_roberta.py line by line:
embeddings (word + position + token_type, LayerNorm), post-LN layers, attention
scaled by 1/sqrt(head_dim) with additive mask (1 - mask) * finfo.min, exact-erf
GELU, BERT pooler tanh(dense(h[CLS])) + classifier, RobertaClassificationHead
out_proj(tanh(dense(h[<s>]))), and sentence-transformers mean pooling + L2
normalisation. It computes in float64 from the float32 weights.
"""

import argparse
import json
import math
import os
import struct
import sys
import unicodedata

import torch
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTDATA = os.path.join(REPO, "ml", "hf", "testdata")
MINILM = os.path.join(REPO, "models", "all-MiniLM-L6-v2")

# ---------------------------------------------------------------- safetensors


def write_safetensors(path, tensors, int_buffers=None):
    """Writes F32 tensors (and optional I64 buffers) in the safetensors format."""
    entries, blobs, offset = {}, [], 0
    items = [(k, v.detach().to(torch.float32).contiguous(), "F32") for k, v in tensors.items()]
    items += [(k, v.to(torch.int64).contiguous(), "I64") for k, v in (int_buffers or {}).items()]
    for name, t, dtype in sorted(items, key=lambda x: x[0]):
        raw = t.numpy().tobytes()  # little-endian on every platform we run
        entries[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    entries["__metadata__"] = {"format": "pt"}
    header = json.dumps(entries, sort_keys=True, separators=(",", ":")).encode()
    header += b" " * ((8 - len(header) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    """Reads F32 tensors of a safetensors file (other dtypes skipped)."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8 : 8 + n])
    data = buf[8 + n :]
    out = {}
    for name, e in header.items():
        if name == "__metadata__" or e["dtype"] != "F32":
            continue
        b, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[b:end]), dtype=torch.float32)
        out[name] = t.reshape(e["shape"]) if e["shape"] else t.reshape(())
    return out


# ---------------------------------------------------------------- model


def strip_prefix(weights):
    out = {}
    for k, v in weights.items():
        for p in ("bert.", "roberta."):
            if k.startswith(p):
                k = k[len(p) :]
        out[k] = v
    return out


def linear(x, w, prefix):
    return F.linear(x, w[prefix + ".weight"], w[prefix + ".bias"])


def layer_norm(x, w, prefix, eps):
    return F.layer_norm(x, (x.shape[-1],), w[prefix + ".weight"], w[prefix + ".bias"], eps)


def position_ids_for(cfg, input_ids):
    """BERT: 0..L-1. XLM-R: create_position_ids_from_input_ids (pads keep padding_idx)."""
    if cfg["model_type"] == "xlm-roberta":
        pad = cfg["pad_token_id"]
        mask = input_ids.ne(pad).long()
        return torch.cumsum(mask, dim=1) * mask + pad
    return torch.arange(input_ids.shape[1]).unsqueeze(0).expand_as(input_ids)


def encoder_forward(cfg, w, input_ids, attention_mask, token_type_ids):
    """Returns last_hidden_state [B, L, H] in float64 (HF BertModel/XLMRobertaModel)."""
    eps = cfg["layer_norm_eps"]
    heads = cfg["num_attention_heads"]
    hidden = cfg["hidden_size"]
    d = hidden // heads
    pos = position_ids_for(cfg, input_ids)
    x = (
        F.embedding(input_ids, w["embeddings.word_embeddings.weight"])
        + F.embedding(token_type_ids, w["embeddings.token_type_embeddings.weight"])
        + F.embedding(pos, w["embeddings.position_embeddings.weight"])
    )
    x = layer_norm(x, w, "embeddings.LayerNorm", eps)
    B, L, _ = x.shape
    ext = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def split(t):
            return t.view(B, L, heads, d).permute(0, 2, 1, 3)

        q = split(linear(x, w, p + "attention.self.query"))
        k = split(linear(x, w, p + "attention.self.key"))
        v = split(linear(x, w, p + "attention.self.value"))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + ext
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(B, L, hidden)
        attn = layer_norm(linear(ctx, w, p + "attention.output.dense") + x, w, p + "attention.output.LayerNorm", eps)
        inter = F.gelu(linear(attn, w, p + "intermediate.dense"))  # exact erf GELU
        x = layer_norm(linear(inter, w, p + "output.dense") + attn, w, p + "output.LayerNorm", eps)
    return x


def mean_pool(h, attention_mask, normalize=True):
    m = attention_mask.unsqueeze(-1).to(h.dtype)
    pooled = (h * m).sum(1) / torch.clamp(m.sum(1), min=1e-9)
    return F.normalize(pooled, p=2, dim=1) if normalize else pooled


def head_forward(cfg, w, h):
    """Cross-encoder logits [B, num_labels] (dropout is identity at inference)."""
    cls = h[:, 0]
    if cfg["model_type"] == "xlm-roberta":
        return linear(torch.tanh(linear(cls, w, "classifier.dense")), w, "classifier.out_proj"), None
    pooled = torch.tanh(linear(cls, w, "pooler.dense"))
    return linear(pooled, w, "classifier"), pooled


# ---------------------------------------------------------------- cross-check


def check_against_torch_layers(cfg, w, input_ids, attention_mask, token_type_ids, ours):
    """Re-runs the encoder with nn.TransformerEncoderLayer (an independent
    post-LN implementation) and asserts it matches encoder_forward."""
    hidden, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    pos = position_ids_for(cfg, input_ids)
    x = (
        F.embedding(input_ids, w["embeddings.word_embeddings.weight"])
        + F.embedding(token_type_ids, w["embeddings.token_type_embeddings.weight"])
        + F.embedding(pos, w["embeddings.position_embeddings.weight"])
    )
    x = layer_norm(x, w, "embeddings.LayerNorm", cfg["layer_norm_eps"])
    pad_mask = attention_mask.eq(0)
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        layer = torch.nn.TransformerEncoderLayer(
            hidden, heads, cfg["intermediate_size"], dropout=0.0, activation="gelu",
            layer_norm_eps=cfg["layer_norm_eps"], batch_first=True, norm_first=False,
        ).to(torch.float64).eval()
        sd = {
            "self_attn.in_proj_weight": torch.cat([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]),
            "self_attn.in_proj_bias": torch.cat([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]),
            "self_attn.out_proj.weight": w[p + "attention.output.dense.weight"],
            "self_attn.out_proj.bias": w[p + "attention.output.dense.bias"],
            "linear1.weight": w[p + "intermediate.dense.weight"],
            "linear1.bias": w[p + "intermediate.dense.bias"],
            "linear2.weight": w[p + "output.dense.weight"],
            "linear2.bias": w[p + "output.dense.bias"],
            "norm1.weight": w[p + "attention.output.LayerNorm.weight"],
            "norm1.bias": w[p + "attention.output.LayerNorm.bias"],
            "norm2.weight": w[p + "output.LayerNorm.weight"],
            "norm2.bias": w[p + "output.LayerNorm.bias"],
        }
        layer.load_state_dict(sd)
        with torch.no_grad():
            x = layer(x, src_key_padding_mask=pad_mask)
    m = attention_mask.bool()
    diff = (x[m] - ours[m]).abs().max().item()
    if diff > 1e-9:
        sys.exit(f"cross-check failed: max |diff| {diff} vs nn.TransformerEncoderLayer")
    return diff


# ---------------------------------------------------------------- tiny fixtures


def random_weights(cfg, gen, head, prefix, pooler):
    """Random weights in canonical names + HF names for the file."""
    H, I = cfg["hidden_size"], cfg["intermediate_size"]

    def normal(*shape, std=0.1):
        return torch.randn(*shape, generator=gen) * std

    def ln(name, n):
        w[name + ".weight"] = 1.0 + normal(n)
        w[name + ".bias"] = normal(n)

    w = {}
    w["embeddings.word_embeddings.weight"] = normal(cfg["vocab_size"], H, std=0.5)
    w["embeddings.position_embeddings.weight"] = normal(cfg["max_position_embeddings"], H, std=0.5)
    w["embeddings.token_type_embeddings.weight"] = normal(cfg["type_vocab_size"], H, std=0.5)
    ln("embeddings.LayerNorm", H)
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for n in ("query", "key", "value"):
            w[p + f"attention.self.{n}.weight"] = normal(H, H, std=0.3)
            w[p + f"attention.self.{n}.bias"] = normal(H)
        w[p + "attention.output.dense.weight"] = normal(H, H, std=0.2)
        w[p + "attention.output.dense.bias"] = normal(H)
        ln(p + "attention.output.LayerNorm", H)
        w[p + "intermediate.dense.weight"] = normal(I, H, std=0.2)
        w[p + "intermediate.dense.bias"] = normal(I)
        w[p + "output.dense.weight"] = normal(H, I, std=0.2)
        w[p + "output.dense.bias"] = normal(H)
        ln(p + "output.LayerNorm", H)
    if pooler:
        w["pooler.dense.weight"] = normal(H, H, std=0.2)
        w["pooler.dense.bias"] = normal(H)
    if head:
        n = len(cfg["id2label"])
        if cfg["model_type"] == "xlm-roberta":
            w["classifier.dense.weight"] = normal(H, H, std=0.2)
            w["classifier.dense.bias"] = normal(H)
            w["classifier.out_proj.weight"] = normal(n, H, std=0.2)
            w["classifier.out_proj.bias"] = normal(n)
        else:
            w["classifier.weight"] = normal(n, H, std=0.2)
            w["classifier.bias"] = normal(n)
    # Round through float32: the file stores float32, the reference uses exactly those values.
    w = {k: v.to(torch.float32) for k, v in w.items()}
    named = {(k if k.startswith("classifier.") else prefix + k): v for k, v in w.items()}
    return w, named


def tiny_config(model_type, head):
    cfg = {
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": 32,
        "initializer_range": 0.02,
        "intermediate_size": 64,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": 64,
        "model_type": model_type,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "position_embedding_type": "absolute",
        "vocab_size": 1000,
    }
    if model_type == "bert":
        cfg.update(architectures=["BertForSequenceClassification" if head else "BertModel"], pad_token_id=0, type_vocab_size=2)
    else:
        cfg.update(
            architectures=["XLMRobertaForSequenceClassification" if head else "XLMRobertaModel"],
            pad_token_id=1, bos_token_id=0, eos_token_id=2, type_vocab_size=1,
            max_position_embeddings=66, layer_norm_eps=1e-5,
        )
    if head:
        cfg["id2label"] = {"0": "LABEL_0"}
        cfg["label2id"] = {"LABEL_0": 0}
    return cfg


def tiny_tokenizer(model_type):
    """A valid tokenizers-library tokenizer.json with a WordLevel vocab of
    1000 ids; the fixtures' tests feed token IDs directly."""
    if model_type == "bert":
        special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        cls, sep, pad, unk = "[CLS]", "[SEP]", "[PAD]", "[UNK]"
    else:
        special = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
        cls, sep, pad, unk = "<s>", "</s>", "<pad>", "<unk>"
    vocab = {t: i for i, t in enumerate(special)}
    for i in range(len(special), 1000):
        vocab[f"w{i}"] = i
    added = [
        {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for t in special
    ]
    tok = lambda t, ty: {"SpecialToken": {"id": t, "type_id": ty}}  # noqa: E731
    seq = lambda a, ty: {"Sequence": {"id": a, "type_id": ty}}  # noqa: E731
    if model_type == "bert":  # [CLS] A [SEP] B [SEP], B with type 1
        pair = [tok(cls, 0), seq("A", 0), tok(sep, 0), seq("B", 1), tok(sep, 1)]
    else:  # <s> A </s></s> B </s>, all type 0
        pair = [tok(cls, 0), seq("A", 0), tok(sep, 0), tok(sep, 0), seq("B", 0), tok(sep, 0)]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "WhitespaceSplit"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": cls, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": sep, "type_id": 0}}],
            "pair": pair,
            "special_tokens": {t: {"id": t, "ids": [vocab[t]], "tokens": [t]} for t in (cls, sep)},
        },
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": unk},
    }, pad


def tiny_inputs(model_type):
    """A padded batch: a pair, a short single sequence and a full-length one."""
    if model_type == "bert":
        cls, sep, pad = 2, 3, 0
        ids = [
            [cls, 15, 27, 999, sep, 400, 401, sep, pad, pad],
            [cls, 500, 17, sep, pad, pad, pad, pad, pad, pad],
            [cls, 5, 6, 7, 8, 9, 10, 11, 12, sep],
        ]
        types = [[0, 0, 0, 0, 0, 1, 1, 1, 0, 0], [0] * 10, [0] * 10]
    else:
        cls, sep, pad = 0, 2, 1
        ids = [
            [cls, 15, 27, 999, sep, sep, 400, 401, sep, pad],
            [cls, 500, 17, sep, pad, pad, pad, pad, pad, pad],
            [cls, 5, 6, 7, 8, 9, 10, 11, 12, sep],
        ]
        types = [[0] * 10, [0] * 10, [0] * 10]
    mask = [[0 if t == pad and j > 0 else 1 for j, t in enumerate(row)] for row in ids]
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(types)


def rounded(t, digits=8):
    if isinstance(t, torch.Tensor):
        t = t.tolist()
    if isinstance(t, list):
        return [rounded(x, digits) for x in t]
    return float(f"{t:.{digits}g}")


def make_tiny(name, model_type, head, seed, check):
    out = os.path.join(TESTDATA, name)
    os.makedirs(out, exist_ok=True)
    cfg = tiny_config(model_type, head)
    gen = torch.Generator().manual_seed(seed)
    prefix = "" if not head else ("bert." if model_type == "bert" else "roberta.")
    pooler = model_type == "bert"  # XLMRobertaForSequenceClassification has no pooler
    w32, named = random_weights(cfg, gen, head, prefix, pooler)
    buffers = {}
    if not head:  # real BertModel checkpoints carry this I64 buffer; Go must skip it
        buffers["embeddings.position_ids"] = torch.arange(cfg["max_position_embeddings"]).unsqueeze(0)
    write_safetensors(os.path.join(out, "model.safetensors"), named, buffers)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    tok, _ = tiny_tokenizer(model_type)
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tok, f, separators=(",", ":"))
    if not head:
        os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
        with open(os.path.join(out, "1_Pooling", "config.json"), "w") as f:
            json.dump({"word_embedding_dimension": cfg["hidden_size"], "pooling_mode_cls_token": False,
                       "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                       "pooling_mode_mean_sqrt_len_tokens": False}, f, indent=2)
        with open(os.path.join(out, "modules.json"), "w") as f:
            json.dump([
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
            ], f, indent=2)

    w = {k: v.to(torch.float64) for k, v in w32.items()}
    ids, mask, types = tiny_inputs(model_type)
    with torch.no_grad():
        h = encoder_forward(cfg, w, ids, mask, types)
        if check:
            check_against_torch_layers(cfg, w, ids, mask, types, h)
        expected = {
            "model": name,
            "input_ids": ids.tolist(),
            "attention_mask": mask.tolist(),
            "token_type_ids": types.tolist(),
            "position_ids": position_ids_for(cfg, ids).tolist(),
            "atol": 1e-4,
            "last_hidden_state": rounded(h),
            "mean_pooled_normalized": rounded(mean_pool(h, mask)),
        }
        if head:
            logits, pooled = head_forward(cfg, w, h)
            expected["logits"] = rounded(logits)
            if pooled is not None:
                expected["pooler_output"] = rounded(pooled)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(out) for fn in fns)
    print(f"{name}: {size/1024:.0f} KiB", file=sys.stderr)


# ---------------------------------------------------------------- MiniLM


def wordpiece(text, vocab):
    """BERT uncased BasicTokenizer + WordPiece for ASCII text."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    words, cur = [], ""
    for c in text:
        if c.isspace():
            if cur:
                words.append(cur)
            cur = ""
        elif unicodedata.category(c).startswith("P") or (33 <= ord(c) <= 47) or (58 <= ord(c) <= 64) \
                or (91 <= ord(c) <= 96) or (123 <= ord(c) <= 126):
            if cur:
                words.append(cur)
            words.append(c)
            cur = ""
        else:
            cur += c
    if cur:
        words.append(cur)
    ids = []
    for word in words:
        start, pieces = 0, []
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in vocab:
                    break
                end -= 1
            if end == start:
                pieces = [vocab["[UNK]"]]
                break
            pieces.append(vocab[piece])
            start = end
        ids.extend(pieces)
    return [vocab["[CLS]"]] + ids + [vocab["[SEP]"]]


MINILM_TEXTS = [
    "Suspicious login from an unknown IP address",
    "User reported a phishing email with a malicious attachment.",
    "VPN connection failed",
    "Ransomware detected on host WS-0423; isolated by EDR.",
]


def make_minilm():
    if not os.path.exists(os.path.join(MINILM, "model.safetensors")):
        print(f"skip MiniLM reference: {MINILM} absent (run scripts/fetch-weights.sh)", file=sys.stderr)
        return
    with open(os.path.join(MINILM, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(MINILM, "vocab.txt"), encoding="utf-8") as f:
        vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
    w = {k: v.to(torch.float64) for k, v in strip_prefix(read_safetensors(os.path.join(MINILM, "model.safetensors"))).items()}
    seqs = [wordpiece(t, vocab) for t in MINILM_TEXTS]
    L = max(len(s) for s in seqs)
    ids = torch.tensor([s + [0] * (L - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (L - len(s)) for s in seqs])
    types = torch.zeros_like(ids)
    with torch.no_grad():
        h = encoder_forward(cfg, w, ids, mask, types)
        emb = mean_pool(h, mask)
    ref = {
        "model": "all-MiniLM-L6-v2",
        "texts": MINILM_TEXTS,
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "token_type_ids": types.tolist(),
        "atol": 1e-4,
        "mean_pooled_normalized": rounded(emb),
        "cls_hidden_first8": rounded(h[:, 0, :8]),
    }
    path = os.path.join(TESTDATA, "minilm_reference.json")
    with open(path, "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")
    print(f"minilm_reference.json: {os.path.getsize(path)/1024:.0f} KiB", file=sys.stderr)


def check_against_transformers():
    """If transformers is importable (e.g. a venv with --system-site-packages),
    re-runs every fixture and MiniLM through it and asserts agreement."""
    try:
        from transformers import AutoModel, AutoModelForSequenceClassification
    except ImportError:
        print("skip transformers cross-check: transformers not installed", file=sys.stderr)
        return
    cases = [(n, os.path.join(TESTDATA, n)) for n in ("bert-tiny", "bert-tiny-cross", "xlmr-tiny-cross")]
    for name, path in cases:
        with open(os.path.join(path, "expected.json")) as f:
            e = json.load(f)
        ids, mask, types = (torch.tensor(e[k]) for k in ("input_ids", "attention_mask", "token_type_ids"))
        cls = AutoModelForSequenceClassification if "logits" in e else AutoModel
        m = cls.from_pretrained(path).eval()
        with torch.no_grad():
            out = m(input_ids=ids, attention_mask=mask, token_type_ids=types, output_hidden_states=True)
        sel = mask.bool()
        diff = (out.hidden_states[-1][sel].double() - torch.tensor(e["last_hidden_state"])[sel]).abs().max().item()
        if "logits" in e:
            diff = max(diff, (out.logits.double() - torch.tensor(e["logits"])).abs().max().item())
        print(f"transformers vs reference {name}: max |diff| {diff:.1e}", file=sys.stderr)
        if diff > 1e-4:
            sys.exit(f"transformers cross-check failed for {name}")
    ref_path = os.path.join(TESTDATA, "minilm_reference.json")
    if os.path.exists(ref_path) and os.path.exists(MINILM):
        with open(ref_path) as f:
            r = json.load(f)
        m = AutoModel.from_pretrained(MINILM).eval()
        mask = torch.tensor(r["attention_mask"])
        with torch.no_grad():
            h = m(input_ids=torch.tensor(r["input_ids"]), attention_mask=mask).last_hidden_state.double()
        diff = (mean_pool(h, mask) - torch.tensor(r["mean_pooled_normalized"])).abs().max().item()
        print(f"transformers vs reference MiniLM: max |diff| {diff:.1e}", file=sys.stderr)
        if diff > 1e-4:
            sys.exit("transformers cross-check failed for MiniLM")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="cross-check against nn.TransformerEncoderLayer and, when importable, transformers")
    args = ap.parse_args()
    torch.set_num_threads(1)
    make_tiny("bert-tiny", "bert", head=False, seed=1, check=args.check)
    make_tiny("bert-tiny-cross", "bert", head=True, seed=2, check=args.check)
    make_tiny("xlmr-tiny-cross", "xlm-roberta", head=True, seed=3, check=args.check)
    make_minilm()
    if args.check:
        check_against_transformers()


if __name__ == "__main__":
    main()
