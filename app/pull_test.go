package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precedent/precedent/platform"
	"github.com/precedent/precedent/platform/hubtest"
)

func TestPullModel(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "")
	t.Setenv("https_proxy", "")
	t.Setenv(platform.CABundleEnv, "")
	p, err := Open(t.TempDir())
	require.NoError(t, err)
	defer p.Close()
	weights := make([]byte, 200_000)
	for i := range weights {
		weights[i] = byte(i * 13)
	}
	ca := hubtest.NewCA(t)
	hub := hubtest.NewHub(t, ca, "cross-encoder/tiny-reranker", map[string][]byte{
		"config.json": []byte(`{"model_type":"bert"}`), "model.safetensors": weights, "tokenizer.json": []byte(`{}`),
		"pytorch_model.bin": []byte("not needed"), "onnx/model.onnx": []byte("not needed"),
	})
	hub.CutOnce("model.safetensors")
	ctx := context.Background()

	_, err = p.PullModel(ctx, "cross-encoder/tiny-reranker", PullOptions{Endpoint: hub.Server.URL}, nil)
	require.ErrorIs(t, err, platform.ErrUntrusted, "the test CA is not trusted without the bundle")
	assert.Contains(t, err.Error(), "--ca-bundle")

	bundle := filepath.Join(t.TempDir(), "corp.pem")
	require.NoError(t, os.WriteFile(bundle, ca.PEM, 0o644))
	res, err := p.PullModel(ctx, "cross-encoder/tiny-reranker@main", PullOptions{Endpoint: hub.Server.URL, CABundle: bundle}, nil)
	require.NoError(t, err)
	assert.Equal(t, p.Path("models", "tiny-reranker"), res.Dir)
	assert.Equal(t, "0123abcd", res.Commit)
	var names []string
	for _, f := range res.Files {
		names = append(names, f.Name+":"+f.Verified)
	}
	assert.ElementsMatch(t, []string{"config.json:git-sha1", "model.safetensors:sha256", "tokenizer.json:git-sha1"}, names)
	got, err := os.ReadFile(filepath.Join(res.Dir, "model.safetensors"))
	require.NoError(t, err)
	assert.Equal(t, weights, got)
	assert.Equal(t, int32(1), hub.Ranges.Load(), "the broken transfer resumed")
	assert.FileExists(t, filepath.Join(res.Dir, "pull.json"))
	assert.NoFileExists(t, filepath.Join(res.Dir, "pytorch_model.bin"))
	ents, err := os.ReadDir(p.Path("models"))
	require.NoError(t, err)
	assert.Len(t, ents, 1, "no staging folder is left")
	found, err := p.ResolveModel("tiny-reranker")
	require.NoError(t, err)
	assert.Equal(t, res.Dir, found, "train --model tiny-reranker finds it")

	_, err = p.PullModel(ctx, "cross-encoder/tiny-reranker", PullOptions{Endpoint: hub.Server.URL, CABundle: bundle}, nil)
	assert.ErrorContains(t, err, "already exists")

	noWeights := hubtest.NewHub(t, ca, "org/bin-only", map[string][]byte{"config.json": []byte(`{}`), "pytorch_model.bin": []byte("x")})
	_, err = p.PullModel(ctx, "org/bin-only", PullOptions{Endpoint: noWeights.Server.URL, CABundle: bundle}, nil)
	assert.ErrorContains(t, err, "safetensors")
}
