// Package ort runs Precedent's models on ONNX Runtime, the CPU fallback for
// inference when no PJRT plugin loads (a Mac without the Metal plugin):
// each model is exported to ONNX (package ml/onnx) and run through ONNX
// Runtime's C API (github.com/yalue/onnxruntime_go, which dlopens the
// library scripts/fetch-onnxruntime.sh installs).
//
// A main enables it explicitly, building its runtime with
// backend.Config{ORT: ort.Enable()} (cgo builds only; importing the package
// does nothing): backend "ort" becomes available and "auto" may choose it
// (package ml/backend); model.Scorer and model.Embedder created on that
// backend then run here, training stays on the pure-Go backend.
//
// Guarantees: results are those of the GoMLX graph within 1e-4 (the parity
// tests check logits and embeddings against PyTorch and XLA); a session is
// built once per model and output and rebuilt only when the model's weights
// changed since its export (model.WeightsStamp), so a Scorer used to
// validate during training scores the current weights; ONNX Runtime's
// intra-op pool has one thread per physical core.
package ort
