package importer

import (
	"sort"
	"strconv"
	"strings"
)

// A JSON record's nested values are addressed by dotted paths, the names its
// columns take:
//
//	fields.created               an object's key
//	fields.labels                an array of scalars, joined with ", " (also fields.labels[])
//	fields.comment.comments[].body  a key of every object in an array, joined with "\n"
//	fields.comment.comments[0].body one element (only in an explicit mapping)
//	fields.comment.comments[]    the array itself (for the comments field)
//
// Keys holding dots are written as they are: paths are matched whole
// against the flattened names before they are ever split.

// flatten appends every leaf of v under prefix to names/values. Arrays of
// objects are flattened element-wise, each key's values joined with "\n";
// arrays lists the paths of such arrays (with their "[]").
func flatten(prefix string, v any, names, values, arrays *[]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, x[k], names, values, arrays)
		}
	case []any:
		if !hasContainer(x) {
			*names = append(*names, prefix)
			*values = append(*values, jsonText(x))
			return
		}
		p := prefix + "[]"
		*arrays = append(*arrays, p)
		// Gather each sub-path's values across the elements, in first-seen order.
		var subNames []string
		sub := map[string][]string{}
		for _, e := range x {
			var en, ev, ea []string
			flatten("", e, &en, &ev, &ea)
			for i, n := range en {
				if _, ok := sub[n]; !ok {
					subNames = append(subNames, n)
				}
				if ev[i] != "" {
					sub[n] = append(sub[n], ev[i])
				}
			}
			for _, a := range ea {
				*arrays = appendUnique(*arrays, joinPath(p, a))
			}
		}
		for _, n := range subNames {
			*names = append(*names, joinPath(p, n))
			*values = append(*values, strings.Join(sub[n], "\n"))
		}
	default:
		*names = append(*names, prefix)
		*values = append(*values, jsonText(x))
	}
}

func joinPath(prefix, sub string) string {
	if sub == "" {
		return prefix
	}
	if prefix == "" {
		return sub
	}
	return prefix + "." + sub
}

func hasContainer(a []any) bool {
	for _, e := range a {
		switch e.(type) {
		case map[string]any, []any:
			return true
		}
	}
	return false
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// lookup evaluates a path on a decoded JSON record. It returns the values
// the path reaches: one for a plain path, one per element under "[]", and
// the element itself for "[i]". Missing keys reach nothing.
func lookup(v any, path string) []any {
	cur := []any{v}
	for path != "" && len(cur) > 0 {
		var seg string
		// A key runs to the next '.' or '['; brackets follow keys.
		if path[0] == '[' {
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil
			}
			seg, path = path[:end+1], strings.TrimPrefix(path[end+1:], ".")
		} else {
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				seg, path = path, ""
			} else {
				seg, path = path[:end], strings.TrimPrefix(path[end:], ".")
			}
		}
		var next []any
		for _, c := range cur {
			switch {
			case seg == "[]":
				if a, ok := c.([]any); ok {
					next = append(next, a...)
				}
			case seg[0] == '[':
				i, err := strconv.Atoi(seg[1 : len(seg)-1])
				if a, ok := c.([]any); ok && err == nil && i >= 0 && i < len(a) {
					next = append(next, a[i])
				}
			default:
				if m, ok := c.(map[string]any); ok {
					if x, ok := m[seg]; ok {
						next = append(next, x)
					}
				}
			}
		}
		cur = next
	}
	return cur
}

// isIndexedPath reports whether a column name addresses array elements by
// index, which only lookup can answer (flattened names never hold "[0]").
func isIndexedPath(s string) bool {
	i := strings.IndexByte(s, '[')
	return i >= 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9'
}

// lookupText is lookup's values as one field's text.
func lookupText(v any, path string) string {
	var parts []string
	for _, x := range lookup(v, path) {
		if s := jsonText(x); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}
