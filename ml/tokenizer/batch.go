package tokenizer

import (
	"runtime"
	"sync"
)

// Batch is encodings padded to the longest row, in row-major layout: row i is
// IDs[i*Len : (i+1)*Len]. Mask is 1 on tokens and 0 on padding; padding is on
// the right with PadID and type ID 0.
type Batch struct {
	IDs, TypeIDs, Mask []int32
	Rows, Len          int
	Lengths            []int // unpadded length of each row
}

// Pad lays encodings out as a Batch padded to the longest one (not to any
// maximum length), so short batches cost short compute.
func (t *Tokenizer) Pad(encs []Encoding) Batch {
	return pad(encs, t.padID)
}

// PadPicked is Pad of encs[idx[0]], encs[idx[1]], …: one batch of the
// indices Buckets returns.
func (t *Tokenizer) PadPicked(encs []Encoding, idx []int) Batch {
	group := make([]Encoding, len(idx))
	for j, i := range idx {
		group[j] = encs[i]
	}
	return pad(group, t.padID)
}

func pad(encs []Encoding, padID int32) Batch {
	b := Batch{Rows: len(encs), Lengths: make([]int, len(encs))}
	for i, e := range encs {
		b.Lengths[i] = e.Len()
		b.Len = max(b.Len, e.Len())
	}
	n := b.Rows * b.Len
	b.IDs, b.TypeIDs, b.Mask = make([]int32, n), make([]int32, n), make([]int32, n)
	for i, e := range encs {
		row := i * b.Len
		copy(b.IDs[row:], e.IDs)
		copy(b.TypeIDs[row:], e.TypeIDs)
		for j := row; j < row+e.Len(); j++ {
			b.Mask[j] = 1
		}
		for j := row + e.Len(); j < row+b.Len; j++ {
			b.IDs[j] = padID
		}
	}
	return b
}

// EncodePairs encodes query/document pairs (see EncodePair) into one batch.
func (t *Tokenizer) EncodePairs(pairs [][2]string, maxLen int) Batch {
	encs := make([]Encoding, len(pairs))
	parallel(len(pairs), func(i int) { encs[i] = t.EncodePair(pairs[i][0], pairs[i][1], maxLen) })
	return t.Pad(encs)
}

// EncodeTexts encodes single texts (see Encode) into one batch.
func (t *Tokenizer) EncodeTexts(texts []string, maxLen int) Batch {
	encs := make([]Encoding, len(texts))
	parallel(len(texts), func(i int) { encs[i] = t.Encode(texts[i], maxLen) })
	return t.Pad(encs)
}

// parallel runs f(0..n-1) on up to GOMAXPROCS goroutines; the native
// tokenizer is read-only during encoding, so calls may overlap.
func parallel(n int, f func(i int)) {
	const minPerWorker = 32
	workers := min(runtime.GOMAXPROCS(0), n/minPerWorker)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := start; i < end; i++ {
				f(i)
			}
		}()
	}
	wg.Wait()
}
