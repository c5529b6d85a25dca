package data

// TruthRecord is the synthetic archive's hidden ground truth for one ticket.
// Nothing in the pipeline reads it except the evaluation of mining and
// negatives against what the generator knows.
type TruthRecord struct {
	ID           string   `json:"id"`
	Cause        string   `json:"cause,omitempty"`          // hidden cause shared by truly related tickets; "" = unrelated noise
	Kind         string   `json:"kind,omitempty"`           // cause kind, e.g. "travel", "admin-maintenance", "phishing-campaign"
	Cites        []string `json:"cites,omitempty"`          // ticket IDs the notes or link fields point to on purpose as related (correctly; typos excluded)
	NotCites     []string `json:"not_cites,omitempty"`      // ticket IDs the notes cite as NOT related ("ruled out INC…"); never related
	TrivialDupOf string   `json:"trivial_dup_of,omitempty"` // set when this ticket is a trivial duplicate alert of another (same rule, minutes apart)
	Master       bool     `json:"master,omitempty"`         // a master case many tickets of its cause point to
}

// Related reports whether two truth records share a hidden cause.
func Related(a, b TruthRecord) bool { return a.Cause != "" && a.Cause == b.Cause }
