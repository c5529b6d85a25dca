package serve

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cohere's v2 API reference example (POST /v2/rerank): documents are
// strings; the answer has an id, results without documents, and meta.
func TestCohereV2RecordedRequest(t *testing.T) {
	_, h := newTestServer(t, &fakeModel{}, Config{})
	body := `{"model":"rerank-v3.5","query":"What is the capital of the United States?","top_n":3,"documents":[
	"Carson City is the capital city of the American state of Nevada.",
	"The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.",
	"Washington, D.C. is the capital of the United States. It is a federal district.",
	"Capitalization or capitalisation in English grammar is the use of a capital letter at the start of a word.",
	"Capital punishment has existed in the United States since before the United States was a country."]}`
	rec := do(h, http.MethodPost, "/v2/rerank", body, "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
	assert.ElementsMatch(t, []string{"id", "results", "meta"}, mapKeys(raw))
	var got CohereResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), got.ID)
	assert.Equal(t, "2", got.Meta.APIVersion.Version)
	assert.Equal(t, 1, got.Meta.SearchUnits)
	require.Len(t, got.Results, 3, "top_n")
	assert.Equal(t, 1, got.Results[0].Index, "the fake model ranks the longest document first")
	for _, r := range got.Results {
		assert.Nil(t, r.Document, "v2 returns no documents")
		assert.True(t, r.RelevanceScore > 0 && r.RelevanceScore < 1)
	}
	var results []map[string]any
	require.NoError(t, json.Unmarshal(raw["results"], &results))
	assert.ElementsMatch(t, []string{"index", "relevance_score"}, keys(results[0]))

	again := do(h, http.MethodPost, "/v2/rerank", body)
	var second CohereResponse
	require.NoError(t, json.Unmarshal(again.Body.Bytes(), &second))
	assert.NotEqual(t, got.ID, second.ID, "each answer has its own id")
}

// max_tokens_per_doc cuts each document before scoring: with the fake
// model (one token per byte), a cut at 3 makes "aaaaa" and "bbb" tie.
func TestCohereMaxTokensPerDoc(t *testing.T) {
	_, h := newTestServer(t, &fakeModel{}, Config{})
	for _, path := range []string{"/v1/rerank", "/v2/rerank"} {
		var uncut, cut CohereResponse
		rec := do(h, http.MethodPost, path, `{"model":"m","query":"q","documents":["bbb","aaaaa"]}`)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &uncut))
		rec = do(h, http.MethodPost, path, `{"model":"m","query":"q","documents":["bbb","aaaaa"],"max_tokens_per_doc":3}`)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &cut))
		assert.Greater(t, uncut.Results[0].RelevanceScore, uncut.Results[1].RelevanceScore, path)
		assert.Equal(t, cut.Results[0].RelevanceScore, cut.Results[1].RelevanceScore, path)
	}
}

// Cohere v1 documents may be objects with any fields: rank_fields picks
// what is ranked, in order; return_documents gives the object back as sent.
func TestCohereV1RankFields(t *testing.T) {
	_, h := newTestServer(t, &fakeModel{}, Config{})
	body := `{"model":"m","query":"q","rank_fields":["title","tags"],"return_documents":true,"documents":[
	 {"title":"short","body":"a very long body that is not ranked at all","id":7},
	 {"title":"a longer title","tags":["x","y"]}]}`
	rec := do(h, http.MethodPost, "/v1/rerank", body)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got struct {
		Results []struct {
			Index    int            `json:"index"`
			Document map[string]any `json:"document"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Len(t, got.Results, 2)
	assert.Equal(t, 1, got.Results[0].Index, `"title: a longer title\ntags: ["x","y"]" outranks "title: short"; body is not ranked`)
	assert.Equal(t, float64(7), got.Results[1].Document["id"], "extra fields come back")
	assert.Contains(t, got.Results[1].Document["body"], "long body")

	text, err := CohereDocument{Fields: map[string]json.RawMessage{"title": json.RawMessage(`"T"`), "n": json.RawMessage(`[1, 2]`)}}.rankText([]string{"n", "title"})
	require.NoError(t, err)
	assert.Equal(t, "n: [1,2]\ntitle: T", text)

	rec = do(h, http.MethodPost, "/v1/rerank", `{"query":"q","documents":[{"text":"bbb","source":"wiki"},"a"]}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.True(t, strings.HasPrefix(rec.Body.String(), `{"id":`), rec.Body.String())
}

func mapKeys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
