package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// wrapperKeys are the keys under which exports keep their array of
// records inside one JSON document: Splunk (results), ServiceNow (records,
// result), Jira REST search (issues), Microsoft Sentinel / Graph (value),
// Elastic / OpenSearch (hits.hits), Bugzilla REST (bugs), and common
// generic names.
var wrapperKeys = []string{"results", "records", "result", "issues", "bugs", "value", "hits", "data", "items", "incidents", "cases", "alerts", "tickets", "notables"}

func isWrapperKey(k string) bool {
	for _, w := range wrapperKeys {
		if k == w {
			return true
		}
	}
	return false
}

// startsWrapperDoc reports whether a JSON object, of which head may be
// only the beginning, is a document wrapping an array of records rather
// than a record itself: whether one of its wrapper keys (or hits.hits)
// opens an array before head ends.
func startsWrapperDoc(head []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(head))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	depth := 1
	for depth > 0 {
		if !dec.More() {
			if _, err := dec.Token(); err != nil {
				return false
			}
			depth--
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if key, _ := tok.(string); isWrapperKey(key) {
			tok, err := dec.Token()
			if err != nil {
				return false
			}
			if tok == json.Delim('[') {
				return true
			}
			if tok == json.Delim('{') && key == "hits" {
				depth++
			}
			continue
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false // the value runs past head: a record's big field
		}
	}
	return false
}

// sniffObjectFile decides, for a file starting with '{', between JSON lines
// (one record per line) and one JSON document wrapping an array of records.
func sniffObjectFile(br *bufio.Reader) string {
	head, _ := br.Peek(br.Size())
	head = bytes.TrimLeft(head, " \t\r\n")
	if startsWrapperDoc(head) {
		return "jsondoc"
	}
	first, rest, complete := bytes.Cut(head, []byte("\n"))
	if !complete || json.Valid(first) {
		return "jsonl" // one record per line (perhaps a long one)
	}
	// A broken first line of JSON lines, or a pretty-printed document
	// whose wrapper key comes late: lines of a document do not parse on
	// their own.
	second, _, _ := bytes.Cut(bytes.TrimLeft(rest, " \t\r\n"), []byte("\n"))
	if len(second) > 0 && second[0] == '{' && json.Valid(second) {
		return "jsonl"
	}
	return "jsondoc"
}

// jsonDocSource streams the records of one JSON document that wraps them,
// e.g. {"results": [...]} or {"hits": {"hits": [...]}}, without holding the
// document in memory. Records are numbered from 1 (JSON documents are
// often one line, so a line number would say little).
type jsonDocSource struct {
	dec    *json.Decoder
	record int
	state  int // 0 before the document, 1 inside a records array, 2 done
	depth  int // how many objects are open around the array
	found  bool
	keys   []string
}

func newJSONDocSource(r io.Reader) *jsonDocSource {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	return &jsonDocSource{dec: dec}
}

func (s *jsonDocSource) next() (row, error) {
	for {
		switch s.state {
		case 2:
			return row{}, io.EOF
		case 1:
			if s.dec.More() {
				var raw json.RawMessage
				s.record++
				if err := s.dec.Decode(&raw); err != nil {
					return row{}, s.broken(err)
				}
				r := objectRow(raw, s.record)
				r.line, r.record = 0, s.record
				return r, nil
			}
			if _, err := s.dec.Token(); err != nil { // the closing ]
				return row{}, s.broken(err)
			}
			s.state = 0
			if err := s.seekArray(); err != nil {
				return row{}, err
			}
		case 0:
			if s.depth == 0 {
				tok, err := s.dec.Token()
				if err != nil {
					return row{}, fmt.Errorf("JSON document: %w", err)
				}
				if d, ok := tok.(json.Delim); !ok || d != '{' {
					return row{}, errors.New("JSON document: expected an object")
				}
				s.depth = 1
			}
			if err := s.seekArray(); err != nil {
				return row{}, err
			}
		}
	}
}

// seekArray reads keys of the open objects until a records array starts
// (state 1) or the document ends (state 2).
func (s *jsonDocSource) seekArray() error {
	for s.depth > 0 {
		if !s.dec.More() {
			if _, err := s.dec.Token(); err != nil { // the closing }
				return s.broken(err)
			}
			s.depth--
			continue
		}
		tok, err := s.dec.Token()
		if err != nil {
			return s.broken(err)
		}
		key, _ := tok.(string)
		if s.depth == 1 {
			s.keys = append(s.keys, key)
		}
		if isWrapperKey(key) {
			tok, err := s.dec.Token()
			if err != nil {
				return s.broken(err)
			}
			switch tok {
			case json.Delim('['):
				s.found, s.state = true, 1
				return nil
			case json.Delim('{'):
				s.depth++ // {"hits": {"total": .., "hits": [...]}}
				continue
			}
			continue // a scalar under a wrapper key: nothing to skip
		}
		var skip json.RawMessage
		if err := s.dec.Decode(&skip); err != nil {
			return s.broken(err)
		}
	}
	if err := s.trailing(); err != nil {
		return err
	}
	s.state = 2
	if !s.found {
		return fmt.Errorf("JSON document holds no array of records under %s (top-level keys: %s); export one record per line or a JSON array",
			strings.Join(wrapperKeys, ", "), strings.Join(s.keys, ", "))
	}
	return nil
}

// trailing checks that nothing but space follows the document.
func (s *jsonDocSource) trailing() error {
	if _, err := s.dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the JSON document (after record %d)", s.record)
	}
	return nil
}

func (s *jsonDocSource) broken(err error) error {
	s.state = 2
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("record %d: truncated JSON document (byte %d)", max(s.record, 1), s.dec.InputOffset())
	}
	return fmt.Errorf("record %d: invalid JSON at byte %d: %w", max(s.record, 1), s.dec.InputOffset(), err)
}
