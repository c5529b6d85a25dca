package tokenizer

import (
	"encoding/json"
	"fmt"
)

// piece is one element of a post-processing template: a special token's IDs,
// or the A (query) or B (document) sequence.
type piece struct {
	seq    byte // 0 special, 'A' or 'B'
	ids    []int32
	typeID int32
}

// template is how special tokens wrap one text or a pair.
type template struct {
	single, pair []piece
}

// added is the number of special tokens the template inserts.
func added(ps []piece) int {
	n := 0
	for _, p := range ps {
		if p.seq == 0 {
			n += len(p.ids)
		}
	}
	return n
}

// apply wraps a (and b, for a pair template) into IDs and type IDs.
func apply(ps []piece, a, b []int32) Encoding {
	n := added(ps) + len(a) + len(b)
	e := Encoding{IDs: make([]int32, 0, n), TypeIDs: make([]int32, 0, n)}
	for _, p := range ps {
		ids := p.ids
		switch p.seq {
		case 'A':
			ids = a
		case 'B':
			ids = b
		}
		e.IDs = append(e.IDs, ids...)
		for range ids {
			e.TypeIDs = append(e.TypeIDs, p.typeID)
		}
	}
	return e
}

// parseTemplate reads tokenizer.json's post_processor. A null one adds no
// special tokens and gives the document type ID 1, as the Rust crate does.
func parseTemplate(raw json.RawMessage) (template, error) {
	none := template{
		single: []piece{{seq: 'A'}},
		pair:   []piece{{seq: 'A'}, {seq: 'B', typeID: 1}},
	}
	if len(raw) == 0 || string(raw) == "null" {
		return none, nil
	}
	var head struct {
		Type       string            `json:"type"`
		Processors []json.RawMessage `json:"processors"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return template{}, err
	}
	switch head.Type {
	case "TemplateProcessing":
		return parseTemplateProcessing(raw)
	case "BertProcessing", "RobertaProcessing":
		return parseClsSep(head.Type, raw)
	case "ByteLevel":
		// Only adjusts offsets, which we do not return.
		return none, nil
	case "Sequence":
		// e.g. ByteLevel then TemplateProcessing: the last one that adds
		// special tokens decides the layout.
		out := none
		for i, p := range head.Processors {
			t, err := parseTemplate(p)
			if err != nil {
				return template{}, fmt.Errorf("processors[%d]: %w", i, err)
			}
			if added(t.pair) > 0 || added(t.single) > 0 {
				out = t
			}
		}
		return out, nil
	default:
		return template{}, fmt.Errorf("unsupported type %q", head.Type)
	}
}

func parseTemplateProcessing(raw json.RawMessage) (template, error) {
	type item struct {
		SpecialToken *struct {
			ID     string `json:"id"`
			TypeID int32  `json:"type_id"`
		} `json:"SpecialToken"`
		Sequence *struct {
			ID     string `json:"id"`
			TypeID int32  `json:"type_id"`
		} `json:"Sequence"`
	}
	var tp struct {
		Single        []item `json:"single"`
		Pair          []item `json:"pair"`
		SpecialTokens map[string]struct {
			IDs []int32 `json:"ids"`
		} `json:"special_tokens"`
	}
	if err := json.Unmarshal(raw, &tp); err != nil {
		return template{}, fmt.Errorf("TemplateProcessing: %w", err)
	}
	conv := func(field string, items []item) ([]piece, error) {
		ps := make([]piece, 0, len(items))
		for i, it := range items {
			switch {
			case it.SpecialToken != nil:
				st, ok := tp.SpecialTokens[it.SpecialToken.ID]
				if !ok {
					return nil, fmt.Errorf("TemplateProcessing %s[%d]: special token %q not in special_tokens", field, i, it.SpecialToken.ID)
				}
				ps = append(ps, piece{ids: st.IDs, typeID: it.SpecialToken.TypeID})
			case it.Sequence != nil && (it.Sequence.ID == "A" || it.Sequence.ID == "B"):
				ps = append(ps, piece{seq: it.Sequence.ID[0], typeID: it.Sequence.TypeID})
			default:
				return nil, fmt.Errorf("TemplateProcessing %s[%d]: neither SpecialToken nor Sequence A/B", field, i)
			}
		}
		return ps, nil
	}
	single, err := conv("single", tp.Single)
	if err != nil {
		return template{}, err
	}
	pair, err := conv("pair", tp.Pair)
	if err != nil {
		return template{}, err
	}
	return template{single: single, pair: pair}, nil
}

// parseClsSep reads the fixed BERT and RoBERTa layouts, whose cls and sep
// fields are [token, id] pairs.
func parseClsSep(kind string, raw json.RawMessage) (template, error) {
	var cs struct {
		Sep [2]json.RawMessage `json:"sep"`
		Cls [2]json.RawMessage `json:"cls"`
	}
	if err := json.Unmarshal(raw, &cs); err != nil {
		return template{}, fmt.Errorf("%s: %w", kind, err)
	}
	var sep, cls int32
	if err := json.Unmarshal(cs.Sep[1], &sep); err != nil {
		return template{}, fmt.Errorf("%s sep: %w", kind, err)
	}
	if err := json.Unmarshal(cs.Cls[1], &cls); err != nil {
		return template{}, fmt.Errorf("%s cls: %w", kind, err)
	}
	c := piece{ids: []int32{cls}}
	s := piece{ids: []int32{sep}}
	single := []piece{c, {seq: 'A'}, s}
	if kind == "RobertaProcessing" {
		return template{single: single, pair: []piece{c, {seq: 'A'}, s, s, {seq: 'B'}, s}}, nil
	}
	s1 := piece{ids: []int32{sep}, typeID: 1}
	return template{single: single, pair: []piece{c, {seq: 'A'}, s, {seq: 'B', typeID: 1}, s1}}, nil
}
