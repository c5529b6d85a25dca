package serve

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/ml/tokenizer"
	"github.com/precedent/precedent/rerank"
)

// fakeModel scores a pair by the length of its document text, so tests
// know the order; gate, when set, holds every Score until it is closed.
type fakeModel struct {
	gate    chan struct{}
	fail    bool
	calls   atomic.Int32
	closed  atomic.Bool
	scoring atomic.Int32
	maxSeen atomic.Int32
	encodes atomic.Int32
}

// fakeMaxLen is the fake model's input length: one token per byte of the
// document.
const fakeMaxLen = 256

func (f *fakeModel) EncodeWith(pairs []rerank.Pair, o rerank.EncodeOptions) ([]tokenizer.Encoding, error) {
	f.encodes.Add(1)
	out := make([]tokenizer.Encoding, len(pairs))
	for i, p := range pairs {
		doc := p.DocText
		if p.Doc != nil {
			doc = p.Doc.Title + " " + p.Doc.CloseNotes
		}
		if o.DocTokens > 0 && len(doc) > o.DocTokens {
			doc = doc[:o.DocTokens]
		}
		if len(doc) > fakeMaxLen {
			if o.NoTruncate {
				return nil, &rerank.TooLongError{Index: i, MaxLen: fakeMaxLen}
			}
			doc = doc[:fakeMaxLen]
		}
		out[i] = tokenizer.Encoding{IDs: make([]int32, len(doc))}
	}
	return out, nil
}

func (f *fakeModel) Score(ctx context.Context, encs []tokenizer.Encoding) ([]float32, error) {
	if f.closed.Load() {
		return nil, errors.New("scored after close")
	}
	f.calls.Add(1)
	f.scoring.Add(1)
	defer f.scoring.Add(-1)
	f.maxSeen.Store(max(f.maxSeen.Load(), int32(len(encs))))
	if f.gate != nil {
		<-f.gate
	}
	if f.fail {
		return nil, errors.New("XLA: /secret/path/model.safetensors exploded")
	}
	out := make([]float32, len(encs))
	for i, e := range encs {
		out[i] = float32(len(e.IDs))/10 - 2
	}
	return out, nil
}

func (f *fakeModel) Explain(q, d data.Ticket) rerank.Evidence {
	return rerank.Evidence{TimeGap: "1 day earlier"}
}
func (f *fakeModel) Info() rerank.RerankerInfo {
	return rerank.RerankerInfo{Run: "run-x", PairFormat: "structured"}
}
func (f *fakeModel) Close() { f.closed.Store(true) }

func newTestServer(t *testing.T, m Model, cfg Config) (*Server, http.Handler) {
	t.Helper()
	s, err := New(m, cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, s.Handler()
}

func do(h http.Handler, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host = "127.0.0.1:8088" // a loopback client's Host, which token-less servers require
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TEI's README example: curl 127.0.0.1:8080/rerank -X POST
// -d '{"query":"What is Deep Learning?", "texts": ["Deep Learning is not...", "Deep learning is..."]}'
func TestTEIRecordedRequest(t *testing.T) {
	_, h := newTestServer(t, &fakeModel{}, Config{})
	rec := do(h, http.MethodPost, "/rerank", `{"query":"What is Deep Learning?", "texts": ["Deep Learning is not...", "Deep learning is..."]}`,
		"Content-Type", "application/json")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got []map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Len(t, got, 2)
	assert.Equal(t, float64(0), got[0]["index"], "the longer text scores higher with the fake model")
	assert.Equal(t, []string{"index", "score"}, keys(got[0]), "no text unless return_text")
	s0 := got[0]["score"].(float64)
	assert.True(t, s0 > 0 && s0 < 1, "sigmoid scores by default, got %v", s0)

	rec = do(h, http.MethodPost, "/rerank", `{"query":"q","texts":["aa","a"],"raw_scores":true,"return_text":true,"truncate":true}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var raw []TEIRank
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
	assert.InDelta(t, 0.2-2, raw[0].Score, 1e-6, "raw logit")
	require.NotNil(t, raw[0].Text)
	assert.Equal(t, "aa", *raw[0].Text)

	long := strings.Repeat("b", fakeMaxLen+1)
	for _, trunc := range []string{``, `,"truncate":true`} {
		rec = do(h, http.MethodPost, "/rerank", `{"query":"q","texts":["`+long+`"]`+trunc+`}`)
		assert.Equal(t, http.StatusOK, rec.Code, "an over-long text is truncated unless truncate is false (%q): %s", trunc, rec.Body.String())
	}
}

// Cohere's API reference example (POST /v1/rerank).
func TestCohereRecordedRequest(t *testing.T) {
	_, h := newTestServer(t, &fakeModel{}, Config{})
	body := `{"model":"rerank-v3.5","query":"What is the capital of the United States?","top_n":3,"documents":[
	"Carson City is the capital city of the American state of Nevada.",
	"The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.",
	"Washington, D.C. (also known as simply Washington or D.C., and officially as the District of Columbia) is the capital of the United States. It is a federal district.",
	"Capitalization or capitalisation in English grammar is the use of a capital letter at the start of a word. English usage varies from capitalization in other languages.",
	"Capital punishment has existed in the United States since beforethe United States was a country. As of 2017, capital punishment is legal in 30 of the 50 states."]}`
	rec := do(h, http.MethodPost, "/v1/rerank", body, "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got CohereResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Len(t, got.Results, 3, "top_n")
	assert.Equal(t, 3, got.Results[0].Index)
	assert.Nil(t, got.Results[0].Document)
	for _, r := range got.Results {
		assert.True(t, r.RelevanceScore >= 0 && r.RelevanceScore <= 1)
	}

	rec = do(h, http.MethodPost, "/v1/rerank", `{"query":"q","documents":[{"text":"a"},"bbb"],"return_documents":true}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Len(t, got.Results, 2)
	require.NotNil(t, got.Results[0].Document)
	assert.JSONEq(t, `{"text":"bbb"}`, string(must(json.Marshal(got.Results[0].Document))), "a string document comes back as {text}")
	assert.JSONEq(t, `{"text":"a"}`, string(must(json.Marshal(got.Results[1].Document))))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestTicketAPI(t *testing.T) {
	_, h := newTestServer(t, &fakeModel{}, Config{})
	body := `{"query":{"id":"INC0000009","title":"phish"},"candidates":[
	 {"id":"INC0000001","title":"x"},{"id":"INC0000002","title":"phish reported","close_notes":"blocked sender"}],"top_k":1}`
	rec := do(h, http.MethodPost, "/tickets/rerank", body)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got TicketResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Len(t, got.Results, 1)
	assert.Equal(t, "INC0000002", got.Results[0].ID)
	assert.Equal(t, 1, got.Results[0].Rank)
	assert.Equal(t, "1 day earlier", got.Results[0].Evidence.TimeGap)

	rec = do(h, http.MethodPost, "/rerank", `{"query":{"id":"a"},"candidates":[]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), "POST /tickets/rerank", "old clients of the ticket API are pointed to its new route")
}

func TestTextPairsParseTickets(t *testing.T) {
	ps := textPairs(`{"id":"INC1","title":"phish"}`, []string{`{"id":"INC2","title":"mail"}`, "plain text", `{"not":"a ticket"}`})
	require.Len(t, ps, 3)
	require.NotNil(t, ps[0].Query)
	require.NotNil(t, ps[0].Doc)
	assert.Equal(t, "INC2", ps[0].Doc.ID)
	assert.Nil(t, ps[1].Doc)
	assert.Nil(t, ps[2].Doc, "JSON that is not a ticket is plain text")
}

func TestErrorClasses(t *testing.T) {
	ok := `{"query":"q","texts":["a"]}`
	for _, tc := range []struct {
		name   string
		cfg    Config
		model  *fakeModel
		path   string
		body   string
		hdr    []string
		status int
		class  string
	}{
		{"malformed", Config{}, &fakeModel{}, "/rerank", `{"query":`, nil, 422, ClassValidation},
		{"unknown field", Config{}, &fakeModel{}, "/rerank", `{"query":"q","texts":["a"],"bogus":1}`, nil, 422, ClassValidation},
		{"no texts", Config{}, &fakeModel{}, "/rerank", `{"query":"q","texts":[]}`, nil, 422, ClassValidation},
		{"too many texts (TEI: 413)", Config{MaxTexts: 2}, &fakeModel{}, "/rerank", `{"query":"q","texts":["a","b","c"]}`, nil, 413, ClassValidation},
		{"too many documents", Config{MaxTexts: 1}, &fakeModel{}, "/v1/rerank", `{"query":"q","documents":["a","b"]}`, nil, 413, ClassValidation},
		{"too many v2 documents", Config{MaxTexts: 1}, &fakeModel{}, "/v2/rerank", `{"model":"m","query":"q","documents":["a","b"]}`, nil, 413, ClassValidation},
		{"too many candidates", Config{MaxTexts: 1}, &fakeModel{}, "/tickets/rerank", `{"query":{},"candidates":[{"id":"a"},{"id":"b"}]}`, nil, 413, ClassValidation},
		{"over-long text, truncate false (TEI: 413)", Config{}, &fakeModel{}, "/rerank", `{"query":"q","texts":["a","` + strings.Repeat("b", fakeMaxLen+1) + `"],"truncate":false}`, nil, 413, ClassValidation},
		{"v2 object documents", Config{}, &fakeModel{}, "/v2/rerank", `{"model":"m","query":"q","documents":[{"text":"a"}]}`, nil, 422, ClassValidation},
		{"v1 object without text", Config{}, &fakeModel{}, "/v1/rerank", `{"query":"q","documents":[{"title":"a"}]}`, nil, 422, ClassValidation},
		{"v1 rank_fields absent", Config{}, &fakeModel{}, "/v1/rerank", `{"query":"q","documents":[{"title":"a"}],"rank_fields":["body"]}`, nil, 422, ClassValidation},
		{"foreign Host without token", Config{}, &fakeModel{}, "/rerank", ok, []string{"Host", "attacker.example:8088"}, 403, ClassForbidden},
		{"foreign Host on health", Config{}, &fakeModel{}, "/health", ok, []string{"Host", "rebind.attacker.example"}, 403, ClassForbidden},
		{"candidate without id", Config{}, &fakeModel{}, "/tickets/rerank", `{"query":{},"candidates":[{"title":"x"}]}`, nil, 422, ClassValidation},
		{"body too large", Config{MaxBodyBytes: 64}, &fakeModel{}, "/rerank", `{"query":"q","texts":["` + strings.Repeat("a", 200) + `"]}`, nil, 413, ClassTooLarge},
		{"no token", Config{Token: "s3cret"}, &fakeModel{}, "/rerank", ok, nil, 401, ClassUnauthorized},
		{"wrong token (TEI, Cohere: 401)", Config{Token: "s3cret"}, &fakeModel{}, "/rerank", ok, []string{"Authorization", "Bearer s3cre"}, 401, ClassUnauthorized},
		{"model failure", Config{}, &fakeModel{fail: true}, "/rerank", ok, nil, 500, ClassBackend},
		{"no route", Config{}, &fakeModel{}, "/v3/rerank", ok, nil, 404, ClassNotFound},
		{"wrong method", Config{}, &fakeModel{}, "/health", ok, nil, 405, ClassMethod},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, h := newTestServer(t, tc.model, tc.cfg)
			rec := do(h, http.MethodPost, tc.path, tc.body, tc.hdr...)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			var e map[string]string
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
			assert.Equal(t, tc.class, e["error_type"])
			assert.NotEmpty(t, e["error"])
			assert.NotContains(t, e["error"], "/secret", "no internals in errors")
		})
	}
}

func TestAuthOnAndOff(t *testing.T) {
	_, open := newTestServer(t, &fakeModel{}, Config{})
	assert.Equal(t, 200, do(open, http.MethodPost, "/rerank", `{"query":"q","texts":["a"]}`).Code)
	_, locked := newTestServer(t, &fakeModel{}, Config{Token: "s3cret"})
	assert.Equal(t, 200, do(locked, http.MethodPost, "/rerank", `{"query":"q","texts":["a"]}`, "Authorization", "Bearer s3cret").Code)
	assert.Equal(t, 200, do(locked, http.MethodGet, "/health", "").Code, "health needs no token")
	assert.Equal(t, 401, do(locked, http.MethodGet, "/info", "").Code)
	assert.Equal(t, 401, do(locked, http.MethodGet, "/metrics", "").Code)
}

func TestExposureNeedsTokenAndTLS(t *testing.T) {
	for _, tc := range []struct {
		cfg     Config
		wantErr bool
	}{
		{Config{}, false},
		{Config{Addr: "localhost:9000"}, false},
		{Config{Addr: "[::1]:9000"}, false},
		{Config{Addr: ":9000"}, true},
		{Config{Addr: "0.0.0.0:9000", Token: "t"}, true},
		{Config{Addr: "10.1.2.3:9000", TLSCert: "c", TLSKey: "k"}, true},
		{Config{Addr: "10.1.2.3:9000", Token: "t", TLSCert: "c", TLSKey: "k"}, false},
		{Config{TLSCert: "c"}, true},
	} {
		err := tc.cfg.Check()
		if tc.wantErr {
			assert.Error(t, err, "%+v", tc.cfg)
		} else {
			assert.NoError(t, err, "%+v", tc.cfg)
		}
	}
	_, err := New(&fakeModel{}, Config{Addr: "0.0.0.0:1"})
	assert.ErrorIs(t, err, ErrExposed)
}

func TestOverloadAndDeadline(t *testing.T) {
	m := &fakeModel{gate: make(chan struct{})}
	s, h := newTestServer(t, m, Config{QueueSize: 1, MaxBatch: 1, MaxWait: time.Millisecond, RequestTimeout: 300 * time.Millisecond})
	body := `{"query":"q","texts":["a"]}`
	codes := make(chan int, 3)
	var wg sync.WaitGroup
	// One request is scored (blocked on the gate), one waits in the queue.
	wg.Add(1)
	go func() { defer wg.Done(); codes <- do(h, http.MethodPost, "/rerank", body).Code }()
	require.Eventually(t, func() bool { return m.scoring.Load() == 1 }, 5*time.Second, time.Millisecond)
	wg.Add(1)
	go func() { defer wg.Done(); codes <- do(h, http.MethodPost, "/rerank", body).Code }()
	require.Eventually(t, func() bool { return s.batch.depth() == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, int32(2), m.encodes.Load(), "the second request was tokenized while the model was busy")
	rec := do(h, http.MethodPost, "/rerank", body)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, "TEI answers overload with 429")
	assert.Equal(t, retryAfter, rec.Header().Get("Retry-After"))
	assert.Contains(t, rec.Body.String(), ClassOverloaded)
	wg.Wait() // both time out while the gate is shut
	close(m.gate)
	close(codes)
	for c := range codes {
		assert.Equal(t, http.StatusGatewayTimeout, c)
	}
	metrics := do(h, http.MethodGet, "/metrics", "").Body.String()
	assert.Contains(t, metrics, `precedent_errors_total{class="Overloaded"} 1`)
	assert.Contains(t, metrics, `precedent_errors_total{class="Timeout"} 2`)
	assert.Contains(t, metrics, `precedent_requests_total{route="POST /rerank",code="504"} 2`)
	assert.Contains(t, metrics, "precedent_queue_depth ")
	assert.Contains(t, metrics, "precedent_batch_size_bucket")
}

func TestDynamicBatching(t *testing.T) {
	m := &fakeModel{}
	_, h := newTestServer(t, m, Config{MaxBatch: 64, MaxWait: 200 * time.Millisecond})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Equal(t, 200, do(h, http.MethodPost, "/rerank", `{"query":"q","texts":["a","b"]}`).Code)
		}()
	}
	wg.Wait()
	assert.Less(t, m.calls.Load(), int32(8), "concurrent requests share model calls")
	assert.Greater(t, m.maxSeen.Load(), int32(2))
}

func TestShutdownUnderLoad(t *testing.T) {
	m := &fakeModel{}
	s, err := New(m, Config{MaxWait: 2 * time.Millisecond, QueueSize: 1024})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String() + "/rerank"
	var ok, refused, other atomic.Int32
	var wg sync.WaitGroup
	deadline := time.Now().Add(3 * time.Second)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200 && time.Now().Before(deadline); i++ {
				resp, err := http.Post(url, "application/json", strings.NewReader(`{"query":"q","texts":["a","bb"]}`))
				if err != nil {
					refused.Add(1) // after shutdown: nothing listens
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch resp.StatusCode {
				case 200:
					ok.Add(1)
				case 429:
					refused.Add(1) // after the drain window: overloaded, with Retry-After
				default:
					other.Add(1)
				}
			}
		}()
	}
	require.Eventually(t, func() bool { return ok.Load() > 20 }, 10*time.Second, time.Millisecond)
	stop()
	require.NoError(t, <-served)
	assert.True(t, m.closed.Load(), "the model is freed after shutdown")
	wg.Wait()
	assert.Zero(t, other.Load(), "no request in flight failed with another status")
}

func TestTLSWithTestCA(t *testing.T) {
	dir := t.TempDir()
	caPEM, certFile, keyFile := writeTestCA(t, dir)
	s, err := New(&fakeModel{}, Config{Addr: "127.0.0.1:0", Token: "s3cret", TLSCert: certFile, TLSKey: keyFile})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	url := "https://" + ln.Addr().String() + "/rerank"
	req := func(c *http.Client) (*http.Response, error) {
		r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"query":"q","texts":["a"]}`))
		r.Header.Set("Authorization", "Bearer s3cret")
		return c.Do(r)
	}
	_, err = req(&http.Client{Timeout: 5 * time.Second})
	assert.Error(t, err, "an unknown CA is refused")
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(caPEM))
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := req(c)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	stop()
	require.NoError(t, <-served)
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	if len(out) == 2 && out[0] > out[1] {
		out[0], out[1] = out[1], out[0]
	}
	return out
}

// writeTestCA writes a CA and a 127.0.0.1 server certificate it signed.
func writeTestCA(t *testing.T, dir string) (caPEM []byte, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o644))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return caPEM, certFile, keyFile
}
