package retrieve

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isJoiner reports the characters that glue parts of an indicator together:
// dots in IPs and hostnames, dashes and underscores in host and rule names,
// @ in e-mail addresses.
func isJoiner(b byte) bool { return b == '.' || b == '-' || b == '_' || b == '@' }

// wordAt returns the end of the run of letters and digits starting at i.
func wordAt(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' {
				i++
				continue
			}
			return i
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return i
		}
		i += n
	}
	return i
}

// Tokenize lower-cases text and splits it on everything but letters and
// digits. A run of alphanumerics glued by '.', '-', '_' or '@' (an IP such
// as 10.0.0.1, a host such as ws-12.corp.local, an e-mail address) is kept
// whole as one token and also yields its parts, so "10.0.0.1" matches only
// itself exactly while "corp" still matches the host. Hashes are plain
// alphanumeric runs and stay one token.
func Tokenize(text string) []string {
	return appendTokens(nil, text)
}

// appendTokens appends the tokens of text to out; tokens share the memory
// of one lower-cased copy of text.
func appendTokens(out []string, text string) []string {
	s := strings.ToLower(text)
	for i := 0; i < len(s); {
		end := wordAt(s, i)
		if end == i {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		// Extend over (joiner+ word)* to one compound.
		start, parts := i, 1
		for {
			k := end
			for k < len(s) && isJoiner(s[k]) {
				k++
			}
			if k == end || k == len(s) {
				break
			}
			e := wordAt(s, k)
			if e == k {
				break
			}
			end, parts = e, parts+1
		}
		out = append(out, s[start:end])
		if parts > 1 {
			for p := start; p < end; {
				e := wordAt(s, p)
				if e == p {
					p++ // joiners are ASCII
					continue
				}
				out = append(out, s[p:e])
				p = e
			}
		}
		i = end
	}
	return out
}
