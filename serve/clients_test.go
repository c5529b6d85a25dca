package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/internal/testenv"
	"github.com/precedent/precedent/platform"
)

// TestRealClients runs Cohere's Python SDK (v1 and v2 clients) and
// LangChain's CohereRerank, unmodified, against a server on loopback
// (scripts/check_clients.py, in the reference venv that make pyref sets
// up). The fake model ranks longer documents first, so every order is known.
func TestRealClients(t *testing.T) {
	py := platform.PyRefPython()
	probe := exec.Command(py, "-c", "import cohere, langchain_cohere, langchain_core")
	if out, err := probe.CombinedOutput(); err != nil {
		testenv.SkipOrFail(t, "the reference venv %s lacks cohere / langchain-cohere (make pyref installs them): %v %s", py, err, bytes.TrimSpace(out))
	}
	s, err := New(&fakeModel{}, Config{Token: "s3cret"})
	require.NoError(t, err)
	base, _ := serveOn(t, s)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, py, filepath.Join("..", "scripts", "check_clients.py"), "--base", base, "--token", "s3cret")
	c.Env = append(os.Environ(), "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost", "HTTP_PROXY=", "HTTPS_PROXY=", "http_proxy=", "https_proxy=",
		"CO_API_KEY=", "COHERE_API_KEY=")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	require.NoError(t, err, "%s", stderr.String())
	t.Logf("clients: %s", bytes.TrimSpace(out))
	var got struct {
		V1 struct {
			Indexes     []int     `json:"indexes"`
			Scores      []float64 `json:"scores"`
			ReturnedIDs []float64 `json:"returned_ids"`
		} `json:"v1"`
		V2 struct {
			ID         string    `json:"id"`
			Indexes    []int     `json:"indexes"`
			Scores     []float64 `json:"scores"`
			APIVersion string    `json:"api_version"`
		} `json:"v2"`
		V2Cut struct {
			Scores []float64 `json:"scores"`
		} `json:"v2_max_tokens_per_doc_4"`
		WrongToken any `json:"wrong_token"`
		LangChain  struct {
			Indexes []int     `json:"indexes"`
			Scores  []float64 `json:"scores"`
		} `json:"langchain"`
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	// Document lengths: 1 > 0 > 2 > 3.
	assert.Equal(t, []int{1, 0, 2}, got.V1.Indexes, "v1 Client.rerank with rank_fields, top_n 3")
	assert.Equal(t, []float64{1, 0, 2}, got.V1.ReturnedIDs, "return_documents gives each object back, extra fields included")
	assert.Equal(t, []int{1, 0, 2}, got.V2.Indexes, "v2 ClientV2.rerank, top_n 3")
	assert.NotEmpty(t, got.V2.ID)
	assert.Equal(t, "2", got.V2.APIVersion)
	require.Len(t, got.V2Cut.Scores, 4)
	for _, sc := range got.V2Cut.Scores {
		assert.Equal(t, got.V2Cut.Scores[0], sc, "max_tokens_per_doc 4 cuts every document to the same length")
	}
	assert.Equal(t, float64(401), got.WrongToken, "a wrong token raises the SDK's UnauthorizedError")
	assert.Equal(t, []int{1, 0}, got.LangChain.Indexes, "LangChain's CohereRerank, top_n 2")
	assert.InDeltaSlice(t, got.V2.Scores[:2], got.LangChain.Scores, 1e-12)
}
