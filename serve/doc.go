// Package serve is Precedent's HTTP reranking service: one port, three APIs
// over one exported model — the native ticket API (POST /tickets/rerank),
// Text Embeddings Inference's POST /rerank and Cohere's POST /v1/rerank —
// plus GET /health, GET /info (the model card) and GET /metrics
// (Prometheus).
//
// Guarantees: tokenization runs in the request goroutine, outside the model
// lock; concurrent requests are scored together in dynamic batches (at most
// MaxBatch pairs, waiting at most MaxWait for company); the queue is bounded
// and a full one answers 503 with Retry-After. Every error has a status and a
// TEI-style {error, error_type} body, and never names a file path or
// internal state. Shutdown stops accepting, finishes the requests in flight,
// and only then frees the model. A non-loopback address is refused unless a
// bearer token and TLS are both configured.
package serve
