package tokenizer

import (
	"strings"
	"testing"

	"github.com/precedent/precedent/internal/testenv"
)

// BenchmarkEncodePairs measures a 32-pair batch of ticket-sized texts at 256
// tokens; a training epoch over 100k pairs should stay well under a minute.
func BenchmarkEncodePairs(b *testing.B) {
	path := modelsDir() + "/ms-marco-MiniLM-L-6-v2/tokenizer.json"
	tok, err := Load(path)
	if err != nil {
		testenv.SkipOrFail(b, "%v", err)
	}
	defer tok.Close()
	q := "rule: Impossible travel | user: j.smith | host: WS-FIN-0231 | ips: 203.0.113.7 | " +
		strings.Repeat("Sign-in from an unusual country followed by mailbox rule creation. ", 4)
	d := "rule: Impossible travel | 3 days earlier | shared: user j.smith | " +
		strings.Repeat("Closed as benign: VPN egress in Frankfurt matches travel schedule. ", 6)
	pairs := make([][2]string, 32)
	for i := range pairs {
		pairs[i] = [2]string{q, d}
	}
	b.ResetTimer()
	for b.Loop() {
		tok.EncodePairs(pairs, DefaultMaxLen)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pairs))/1e3, "µs/pair")
}
