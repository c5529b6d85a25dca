package tokenizer

// Encoding is one encoded text or pair, special tokens included, unpadded.
type Encoding struct {
	IDs     []int32
	TypeIDs []int32
}

// Len is the number of tokens.
func (e Encoding) Len() int { return len(e.IDs) }

// Encode encodes one text (for a bi-encoder) with special tokens, truncated
// to maxLen tokens (DefaultMaxLen when maxLen <= 0).
func (t *Tokenizer) Encode(text string, maxLen int) Encoding {
	a := t.tokens(text)
	budget := budget(maxLen, added(t.tmpl.single))
	if len(a) > budget {
		a = a[:budget]
	}
	return apply(t.tmpl.single, a, nil)
}

// EncodePair encodes a query/document pair with the file's pair template,
// truncated longest-first to maxLen tokens (DefaultMaxLen when maxLen <= 0).
// A maxLen smaller than the special tokens yields only the special tokens.
func (t *Tokenizer) EncodePair(query, doc string, maxLen int) Encoding {
	e, _ := t.EncodePairLimited(query, doc, maxLen, 0)
	return e
}

// EncodePairLimited is EncodePair with the document first cut to docTokens
// text tokens (no cut when docTokens <= 0); truncated reports whether the
// maxLen budget then dropped any token of either side, which a caller that
// promised not to truncate refuses.
func (t *Tokenizer) EncodePairLimited(query, doc string, maxLen, docTokens int) (e Encoding, truncated bool) {
	a, b := t.tokens(query), t.tokens(doc)
	if docTokens > 0 && len(b) > docTokens {
		b = b[:docTokens]
	}
	na, nb := longestFirst(len(a), len(b), budget(maxLen, added(t.tmpl.pair)))
	return apply(t.tmpl.pair, a[:na], b[:nb]), na < len(a) || nb < len(b)
}

// budget is how many text tokens fit beside the special tokens.
func budget(maxLen, special int) int {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	return max(maxLen-special, 0)
}

// longestFirst returns how many tokens of each side to keep so that
// n1+n2 <= limit, following the Rust crate's LongestFirst strategy: the shorter
// side keeps up to half the budget, the longer side gets the rest; when both
// overflow, the odd token goes to the side that was longer (the second on a
// tie). This is what Python's enable_truncation(strategy="longest_first")
// produces, which a hand-written "trim the longer by one" loop would not
// match on ties.
func longestFirst(len1, len2, limit int) (int, int) {
	if len1+len2 <= limit {
		return len1, len2
	}
	n1, n2 := len1, len2
	swap := n1 > n2
	if swap {
		n1, n2 = n2, n1
	}
	if n1 > limit {
		n2 = n1
	} else {
		n2 = max(n1, limit-n1)
	}
	if n1+n2 > limit {
		n1 = limit / 2
		n2 = n1 + limit%2
	}
	if swap {
		n1, n2 = n2, n1
	}
	return min(n1, len1), min(n2, len2)
}
