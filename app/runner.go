package app

import "time"

// RunCore is what every training run records, whatever it trains. RunRecord
// and BiEncoderRun embed it, so its fields sit at the top level of their JSON.
type RunCore struct {
	ID          string    `json:"id"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	Status      string    `json:"status"` // running, finished, early-stopped, cancelled, failed
	Error       string    `json:"error,omitempty"`
	StartModel  string    `json:"start_model"` // resolved folder, or the from-scratch shape
	Backend     string    `json:"backend"`
	Fingerprint string    `json:"fingerprint"` // the training data and the options that shape it
	Examples    int       `json:"examples"`    // cross-encoder: labelled pairs; bi-encoder: (query, positive) pairs
	Steps       int       `json:"steps"`
	TotalSteps  int       `json:"total_steps"`
	BestStep    int       `json:"best_step"`
	BestMRR     float64   `json:"best_val_mrr@10"`
	StartMRR    float64   `json:"start_val_mrr@10"`
	Dir         string    `json:"dir"`
	ModelDir    string    `json:"model_dir,omitempty"` // the best model (cross-encoder: Hugging Face layout; bi-encoder: sentence-transformers)
	Seconds     float64   `json:"seconds"`
}
