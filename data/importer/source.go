package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// row is one record of a source file before mapping.
type row struct {
	line    int      // line where the record starts
	record  int      // record number, where lines say little (JSON documents)
	names   []string // column names, parallel to values
	values  []string
	bad     string // why the record cannot be read at all
	raw     []byte // the record's JSON text; nil for CSV
	recoded bool   // invalid UTF-8 was read as Windows-1252
	// JSON records only: the decoded object (for indexed paths, comments
	// and links), the paths of its arrays of objects, and the columns a
	// data.Ticket record keeps in its "closing" object.
	obj     map[string]any
	arrays  []string
	closing map[string]bool
}

// source yields rows; next returns io.EOF at the end and any other error
// when the file's structure is broken and reading cannot go on.
type source interface {
	next() (row, error)
}

// objectRow turns one JSON record into a row; errors make it a bad row.
func objectRow(raw []byte, line int) row {
	raw, recoded := recodeBytes(raw)
	r := row{line: line, raw: raw, recoded: recoded}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		r.bad = "invalid JSON: " + err.Error()
		return r
	}
	if dec.More() {
		r.bad = "invalid JSON: data after the object"
		return r
	}
	obj, ok := v.(map[string]any)
	if !ok {
		r.bad = fmt.Sprintf("expected a JSON object, found %s", jsonKind(v))
		return r
	}
	// Splunk's JSON export wraps each event as {"preview":..,"result":{..}}.
	if inner, ok := obj["result"].(map[string]any); ok && len(obj) <= 4 {
		if _, hasPreview := obj["preview"]; hasPreview || len(obj) == 1 {
			obj = inner
		}
	}
	// A record written from data.Ticket keeps its extra columns in an
	// "extra" object and its closing-time ones in "closing": spread them
	// back out so they return to Ticket.Extra and Ticket.Closing.
	for _, side := range []string{"extra", "closing"} {
		inner, ok := obj[side].(map[string]any)
		if !ok {
			continue
		}
		delete(obj, side)
		for k, v := range inner {
			if _, clash := obj[k]; !clash {
				obj[k] = v
				if side == "closing" {
					if r.closing == nil {
						r.closing = map[string]bool{}
					}
					r.closing[k] = true
				}
			}
		}
	}
	r.obj = obj
	flatten("", obj, &r.names, &r.values, &r.arrays)
	return r
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// jsonText flattens a JSON value to the string a ticket field holds:
// numbers keep their literal text, arrays of scalars join with ", ", and
// nested objects stay compact JSON.
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				b, _ := json.Marshal(x)
				return string(b)
			}
			parts = append(parts, jsonText(e))
		}
		return strings.Join(parts, ", ")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
