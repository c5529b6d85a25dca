package app

import (
	"context"
	"fmt"

	"github.com/precedent/precedent/ml/retrieve"
)

// denseIndex builds the embedding first stage and fills each query's vector.
func (p *Project) denseIndex(ctx context.Context, a *archive, qs []retrieve.Query, o FirstStageOptions, progress Progress) (retrieve.Index, []retrieve.Query, error) {
	return nil, nil, fmt.Errorf("first stage %q is not wired yet", o.Source)
}
