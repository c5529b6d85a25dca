package importer

import (
	"fmt"
	"strings"
)

// ParseMapping reads `field=Column,field="Column, with spaces"`. A column
// may list alternatives as `a|b`; double quotes protect spaces, commas,
// pipes and `""` escapes; `field=` leaves the field unmapped.
func ParseMapping(spec string) (Mapping, error) {
	m := Mapping{}
	p := &mappingParser{s: spec}
	for {
		p.space()
		if p.done() {
			break
		}
		eq := strings.IndexByte(p.s[p.i:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("mapping %q at offset %d: expected field=column", spec, p.i)
		}
		field := strings.ToLower(strings.TrimSpace(p.s[p.i : p.i+eq]))
		if !contains(Fields, field) {
			return nil, fmt.Errorf("mapping %q: unknown field %q (fields: %s)", spec, field, strings.Join(Fields, ", "))
		}
		if _, dup := m[field]; dup {
			return nil, fmt.Errorf("mapping %q: field %q given twice", spec, field)
		}
		p.i += eq + 1
		cols := []string{}
		for {
			p.space()
			col, err := p.name()
			if err != nil {
				return nil, fmt.Errorf("mapping %q field %s: %w", spec, field, err)
			}
			if col != "" {
				cols = append(cols, col)
			}
			p.space()
			if p.done() || p.s[p.i] == ',' {
				break
			}
			if p.s[p.i] != '|' {
				return nil, fmt.Errorf("mapping %q field %s: unexpected %q at offset %d", spec, field, p.s[p.i], p.i)
			}
			p.i++
		}
		m[field] = cols
		if !p.done() {
			p.i++ // the comma
		}
	}
	return m, nil
}

type mappingParser struct {
	s string
	i int
}

func (p *mappingParser) done() bool { return p.i >= len(p.s) }

func (p *mappingParser) space() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// name reads one column name, quoted or bare.
func (p *mappingParser) name() (string, error) {
	if p.done() {
		return "", nil
	}
	if p.s[p.i] != '"' {
		start := p.i
		for !p.done() && p.s[p.i] != ',' && p.s[p.i] != '|' {
			p.i++
		}
		return strings.TrimSpace(p.s[start:p.i]), nil
	}
	var b strings.Builder
	start := p.i
	p.i++
	for {
		if p.done() {
			return "", fmt.Errorf("unterminated quote at offset %d", start)
		}
		c := p.s[p.i]
		p.i++
		if c != '"' {
			b.WriteByte(c)
			continue
		}
		if !p.done() && p.s[p.i] == '"' {
			b.WriteByte('"')
			p.i++
			continue
		}
		return b.String(), nil
	}
}
