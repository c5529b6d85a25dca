#!/usr/bin/env python3
"""check_clients.py: real rerank clients, unmodified, against a running
`precedent serve` (or the serve tests' server).

    ~/.cache/precedent/pyref/bin/python scripts/check_clients.py --base http://127.0.0.1:8088 --token TOKEN

Runs Cohere's Python SDK (v1 `Client.rerank` with object documents,
rank_fields and return_documents; v2 `ClientV2.rerank` with
max_tokens_per_doc) and LangChain's `CohereRerank` (langchain-cohere) on one
query and the documents below, checks that a wrong token raises the SDK's
401 error, and prints one JSON object: each client's ranked indexes and
scores, as the client returned them. Exit 1 when a client fails.
"""
import argparse
import json
import sys

QUERY = "phishing mail with a credential link"
DOCS = [
    "VPN login from a new country",
    "User reported a phishing email asking for their password; sender blocked, link quarantined",
    "Disk full on build server",
    "Phishing link clicked",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="server URL, e.g. http://127.0.0.1:8088")
    ap.add_argument("--token", required=True)
    a = ap.parse_args()

    import cohere
    out = {"cohere_version": cohere.__version__ if hasattr(cohere, "__version__") else "?"}

    v1 = cohere.Client(api_key=a.token, base_url=a.base)
    r = v1.rerank(model="precedent", query=QUERY, top_n=3, return_documents=True, rank_fields=["title", "body"],
                  documents=[{"title": d, "body": "", "id": i} for i, d in enumerate(DOCS)])
    out["v1"] = {"indexes": [x.index for x in r.results], "scores": [x.relevance_score for x in r.results],
                 "returned_ids": [x.document.id if hasattr(x.document, "id") else (x.document or {}).get("id") for x in r.results]}

    v2 = cohere.ClientV2(api_key=a.token, base_url=a.base)
    r = v2.rerank(model="precedent", query=QUERY, documents=DOCS, top_n=3)
    out["v2"] = {"id": r.id, "indexes": [x.index for x in r.results], "scores": [x.relevance_score for x in r.results],
                 "api_version": r.meta.api_version.version if r.meta and r.meta.api_version else None}
    r = v2.rerank(model="precedent", query=QUERY, documents=DOCS, max_tokens_per_doc=4)
    out["v2_max_tokens_per_doc_4"] = {"indexes": [x.index for x in r.results], "scores": [x.relevance_score for x in r.results]}

    try:
        cohere.ClientV2(api_key=a.token + "x", base_url=a.base).rerank(model="precedent", query=QUERY, documents=DOCS)
        out["wrong_token"] = "accepted"
    except cohere.errors.UnauthorizedError as e:
        out["wrong_token"] = e.status_code

    from langchain_cohere import CohereRerank
    from langchain_core.documents import Document
    lc = CohereRerank(cohere_api_key=a.token, base_url=a.base, model="precedent", top_n=2)
    docs = lc.compress_documents([Document(page_content=d, metadata={"i": i}) for i, d in enumerate(DOCS)], QUERY)
    out["langchain"] = {"indexes": [d.metadata["i"] for d in docs], "scores": [d.metadata.get("relevance_score") for d in docs]}

    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for the Go test's message
        print(f"check_clients: {type(e).__name__}: {e}", file=sys.stderr)
        raise
