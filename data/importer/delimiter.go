package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// delimiters are the separators sniffDelimiter chooses between: the comma,
// the semicolon European Excel writes (its decimal separator is the
// comma), the tab and the pipe.
var delimiters = []rune{',', ';', '\t', '|'}

// sniffDelimiter picks the separator of a delimited file from its first
// lines: the candidate that splits the header most often and splits the
// next complete line the same number of times; failing that the one that
// splits the header most; a comma when none does. Separators inside double
// quotes do not count.
func sniffDelimiter(head []byte) rune {
	lines := firstLines(head, 3)
	if len(lines) == 0 {
		return ','
	}
	best, bestN, consistent := ',', 0, false
	for _, d := range delimiters {
		n := countOutsideQuotes(lines[0], byte(d))
		if n == 0 {
			continue
		}
		ok := true
		for _, l := range lines[1:] {
			if countOutsideQuotes(l, byte(d)) != n {
				ok = false
			}
		}
		if ok && !consistent || ok == consistent && n > bestN {
			best, bestN, consistent = d, n, ok
		}
	}
	return best
}

// firstLines are up to n complete lines of head (a line whose quotes are
// still open at its end continues on the next); a last line cut off by
// the end of head is dropped unless it is the only one.
func firstLines(head []byte, n int) [][]byte {
	var out [][]byte
	start, inQuote := 0, false
	for i := 0; i < len(head) && len(out) < n; i++ {
		switch head[i] {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote {
				out = append(out, bytes.TrimRight(head[start:i], "\r"))
				start = i + 1
			}
		}
	}
	if len(out) == 0 && start < len(head) {
		out = append(out, head[start:])
	}
	return out
}

func countOutsideQuotes(line []byte, d byte) int {
	n, inQuote := 0, false
	for _, c := range line {
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == d && !inQuote:
			n++
		}
	}
	return n
}

// ParseDelimiter reads a user's delimiter: one character, or a name
// (comma, semicolon, tab, pipe); "" means sniff.
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "comma", ",":
		return ',', nil
	case "semicolon", ";":
		return ';', nil
	case "tab", `\t`, "\t":
		return '\t', nil
	case "pipe", "|":
		return '|', nil
	}
	if r := []rune(s); len(r) == 1 && r[0] != '"' && r[0] != '\n' && r[0] != '\r' {
		return r[0], nil
	}
	return 0, fmt.Errorf("delimiter %q: want one character or comma, semicolon, tab, pipe", s)
}

// delimiterName is how a report writes a separator.
func delimiterName(d rune) string {
	switch d {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	case '|':
		return "pipe"
	}
	return string(d)
}

// peekHead is the start of a buffered file, for sniffing.
func peekHead(br *bufio.Reader) []byte {
	head, _ := br.Peek(64 << 10)
	return head
}
