package ui

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// preview is the first rows of an export file, for the mapping screen.
type preview struct {
	path    string
	format  string // csv, tsv, jsonl, json
	columns []string
	rows    [][]string // each as long as columns
}

// readPreview reads the header and up to n rows of path. It only looks: the
// importer does the real reading, with its own checks.
func readPreview(path string, n int) (preview, error) {
	f, err := os.Open(path)
	if err != nil {
		return preview{}, fmt.Errorf("preview %s: %w", path, err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	pv := preview{path: path, format: previewFormat(path, br)}
	switch pv.format {
	case "csv", "tsv":
		err = pv.readCSV(br, n)
	case "jsonl":
		err = pv.readJSONL(br, n)
	case "json":
		err = pv.readJSONArray(br, n)
	}
	if err != nil {
		return preview{}, fmt.Errorf("preview %s: %w", path, err)
	}
	if len(pv.columns) == 0 {
		return preview{}, fmt.Errorf("preview %s: no columns found: is this a CSV with a header row, or JSON lines of objects?", path)
	}
	return pv, nil
}

// previewFormat decides from the extension, then from the first byte.
func previewFormat(path string, br *bufio.Reader) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".tsv", ".tab":
		return "tsv"
	case ".jsonl", ".ndjson":
		return "jsonl"
	case ".json":
		if b, err := br.Peek(1); err == nil && b[0] == '[' {
			return "json"
		}
		return "jsonl"
	case ".csv":
		return "csv"
	}
	for {
		b, err := br.Peek(1)
		if err != nil {
			return "csv"
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.ReadByte()
			continue
		case '[':
			return "json"
		case '{':
			return "jsonl"
		}
		return "csv"
	}
}

func (pv *preview) readCSV(r io.Reader, n int) error {
	cr := csv.NewReader(r)
	if pv.format == "tsv" {
		cr.Comma = '\t'
	}
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("the file is empty")
		}
		return fmt.Errorf("header: %w", err)
	}
	pv.columns = head
	for len(pv.rows) < n {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("row %d: %w", len(pv.rows)+1, err)
		}
		row := make([]string, len(head))
		copy(row, rec)
		pv.rows = append(pv.rows, row)
	}
	return nil
}

func (pv *preview) readJSONL(br *bufio.Reader, n int) error {
	var objs []map[string]any
	var order []string
	seen := map[string]bool{}
	for line := 1; len(objs) < n; line++ {
		raw, err := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(raw))) > 0 {
			if o, perr := decodeObject(raw, &order, seen); perr != nil {
				return fmt.Errorf("line %d: %w", line, perr)
			} else {
				objs = append(objs, o)
			}
		}
		if err != nil {
			break
		}
	}
	pv.fill(objs, order)
	return nil
}

func (pv *preview) readJSONArray(r io.Reader, n int) error {
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("JSON array: %w", err)
	}
	var objs []map[string]any
	var order []string
	seen := map[string]bool{}
	for dec.More() && len(objs) < n {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("element %d: %w", len(objs)+1, err)
		}
		o, err := decodeObject(raw, &order, seen)
		if err != nil {
			return fmt.Errorf("element %d: %w", len(objs)+1, err)
		}
		objs = append(objs, o)
	}
	pv.fill(objs, order)
	return nil
}

// decodeObject decodes one JSON object, noting its keys in first-seen order.
func decodeObject(raw []byte, order *[]string, seen map[string]bool) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	o := map[string]any{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := kt.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		o[k] = v
		if !seen[k] {
			seen[k] = true
			*order = append(*order, k)
		}
	}
	return o, nil
}

func (pv *preview) fill(objs []map[string]any, order []string) {
	pv.columns = order
	for _, o := range objs {
		row := make([]string, len(order))
		for i, k := range order {
			switch v := o[k].(type) {
			case nil:
			case string:
				row[i] = v
			default:
				b, _ := json.Marshal(v)
				row[i] = string(b)
			}
		}
		pv.rows = append(pv.rows, row)
	}
}
