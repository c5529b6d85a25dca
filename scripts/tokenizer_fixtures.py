#!/usr/bin/env python3
"""Generate ml/tokenizer/testdata fixtures with the Hugging Face `tokenizers`
Python package, the reference our Go wrapper (ml/tokenizer) must match.

    python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install tokenizers==0.20.4
    /tmp/tokvenv/bin/python scripts/tokenizer_fixtures.py

tokenizers==0.20.4 is the Python build of the same Rust crate that
github.com/daulet/tokenizers v1.22.1 links (Cargo.lock: tokenizers 0.20.4).

Writes:
  ml/tokenizer/testdata/unigram-xlmr.json  tiny Unigram model, XLM-R template
  ml/tokenizer/testdata/expected.json      expected IDs per tokenizer
"""
import json
import os
import sys

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.environ.get("PRECEDENT_MODELS", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "models"))
OUT = os.path.join(REPO, "ml", "tokenizer", "testdata")

TEXTS = [
    "Impossible travel for j.smith from 203.0.113.7",
    "Suspicious PowerShell: powershell.exe -NoP -W Hidden -Enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA on WS-FIN-0231",
    "Outbound beacon to evil-c2.example.com (198.51.100.23:443) from SRV-DC01",
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 quarantined by EDR",
    "md5 d41d8cd98f00b204e9800998ecf8427e seen on CORP\\a.jones laptop",
    "Login from fe80::1ff:fe23:4567:890a and 2001:db8::8a2e:370:7334",
    "Café münchen: Zoë's résumé naïve façade — Ångström “quoted” text",
    "日本語のアラート: 東京 から ログイン 失敗",
    "Ticket INC0012345 duplicates INC0012301; see https://soc.example.org/cases/4411?tab=notes",
    "user@example.com reported phishing mail with attachment invoice_2024.xlsm",
    "Mass file rename *.locky detected on \\\\FS-02\\share$\\finance",
    "",
    "   ",
    "Closed: false positive, VPN egress in Frankfurt (DE) matches travel schedule.",
    "Emoji 🚨🔥 alert!!! <script>alert(1)</script> & \"quotes\" 'single'",
]

# (query, doc) pairs; long ones force truncation on one or both sides.
LONG = " ".join(TEXTS[:5] + TEXTS[13:14])
PAIRS = [
    (TEXTS[0], TEXTS[13]),
    (TEXTS[1], TEXTS[2]),
    (TEXTS[3], TEXTS[4]),
    (TEXTS[5], TEXTS[6]),
    (TEXTS[7], TEXTS[8]),
    (TEXTS[9], TEXTS[10]),
    (TEXTS[14], TEXTS[0]),
    ("", TEXTS[0]),
    (TEXTS[0], ""),
    (LONG, TEXTS[0]),
    (TEXTS[0], LONG),
    (LONG, LONG),
    (LONG, LONG[:200]),
    ("a b c d e", "f g h i j"),
]
PAIR_MAXLENS = [256, 40, 17, 10]
SINGLE_MAXLENS = [256, 12]

# A training corpus for the tiny Unigram model: the texts above plus
# security-flavoured sentences, so its pieces look like real SOC text.
CORPUS = TEXTS + [
    "Alert closed as benign after user confirmation",
    "Escalated to incident response: credential dumping with mimikatz on WS-HR-0112",
    "Brute force against VPN gateway from 192.0.2.44, account locked",
    "Defender quarantined Trojan:Win32/Emotet in C:\\Users\\b.lee\\Downloads",
    "Suspicious scheduled task created by svc_backup on SRV-APP-07",
    "DNS tunnelling suspected: long TXT queries to xj3k.badzone.net",
    "Same host, same rule, three days earlier: closed as false positive",
    "Analyst notes: reimaged the workstation and reset the password",
] * 3


def train_unigram():
    tok = Tokenizer(models.Unigram())
    # XLM-R uses a Precompiled charsmap we cannot train; NFKC is its essence.
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(" {2,}", " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(
        vocab_size=400,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        unk_token="<unk>",
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS, trainer=trainer)
    ids = {t: tok.token_to_id(t) for t in ["<s>", "<pad>", "</s>", "<unk>"]}
    assert ids == {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}, ids
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    return tok


def text_index(texts, t):
    """Fixtures name texts by index into a shared table to stay small."""
    if t not in texts:
        texts.append(t)
    return texts.index(t)


def cases(tok, texts):
    tok.no_padding()
    out = {"single": [], "pair": []}
    for m in SINGLE_MAXLENS:
        tok.enable_truncation(max_length=m, strategy="longest_first")
        for t in TEXTS:
            e = tok.encode(t)
            out["single"].append({"text": text_index(texts, t), "max_len": m, "ids": e.ids, "type_ids": e.type_ids})
    for m in PAIR_MAXLENS:
        tok.enable_truncation(max_length=m, strategy="longest_first")
        for q, d in PAIRS:
            e = tok.encode(q, d)
            assert all(x == 1 for x in e.attention_mask)
            out["pair"].append({"query": text_index(texts, q), "doc": text_index(texts, d), "max_len": m, "ids": e.ids, "type_ids": e.type_ids})
    tok.no_truncation()
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    uni = train_unigram()
    uni_path = os.path.join(OUT, "unigram-xlmr.json")
    uni.save(uni_path, pretty=False)

    texts = []
    fixtures = {"generator": "tokenizers " + __import__("tokenizers").__version__, "texts": texts, "tokenizers": {}}
    for name in ["all-MiniLM-L6-v2", "ms-marco-MiniLM-L-6-v2", "bge-small-en-v1.5"]:
        tok = Tokenizer.from_file(os.path.join(MODELS, name, "tokenizer.json"))
        fixtures["tokenizers"][name] = {"path": name + "/tokenizer.json", **cases(tok, texts)}

    # The same Unigram model under the three post-processor kinds we parse.
    variants = {
        "unigram-xlmr": None,
        "unigram-roberta": processors.RobertaProcessing(("</s>", 2), ("<s>", 0)),
        "unigram-bert": processors.BertProcessing(("</s>", 2), ("<s>", 0)),
    }
    for name, post in variants.items():
        tok = Tokenizer.from_file(uni_path)
        entry = {"path": "testdata/unigram-xlmr.json"}
        if post is not None:
            tok.post_processor = post
            entry["post_processor"] = json.loads(tok.to_str())["post_processor"]
        fixtures["tokenizers"][name] = {**entry, **cases(tok, texts)}

    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(fixtures, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    for p in [uni_path, os.path.join(OUT, "expected.json")]:
        print(p, os.path.getsize(p), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
