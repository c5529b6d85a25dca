package importer

import (
	"fmt"
	"sort"
	"strings"
)

// DetectionNotes are the lines an import summary shows about how the
// file was read: each field's column with how it was chosen and its
// runner-up, a warning for each doubtful choice, the IDs the file repeats
// and the rule applied, the tickets whose open status voided a close
// time, and the links read per kind. The CLI and the Archive panel both
// show them.
func (r Report) DetectionNotes() []string {
	var out []string
	for _, c := range r.Choices {
		if c.Column == "" {
			out = append(out, fmt.Sprintf("%s not mapped: %s", c.Field, c.Doubt))
			continue
		}
		out = append(out, c.String())
	}
	for _, c := range r.Choices {
		if c.Doubt != "" && c.Column != "" {
			out = append(out, fmt.Sprintf("warning: %s=%s may be wrong (%s); choose with --map %s=COLUMN", c.Field, quoteName(c.Column), c.Doubt, c.Field))
		}
	}
	if r.DuplicateIDs > 0 {
		out = append(out, fmt.Sprintf("%d rows repeat an ID (%s): %s", r.DuplicateIDs, strings.Join(r.DuplicateIDEx, ", "), r.DuplicateRule))
	}
	if r.OpenStatusClosed > 0 {
		out = append(out, fmt.Sprintf("%d tickets have a close time but a status that says open (%s, read from %s): kept without a close time",
			r.OpenStatusClosed, strings.Join(r.OpenStatusEx, ", "), strings.Join(r.StatusColumns, "|")))
	}
	if len(r.LinksByKind) > 0 {
		kinds := make([]string, 0, len(r.LinksByKind))
		for k := range r.LinksByKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for i, k := range kinds {
			kinds[i] = fmt.Sprintf("%d %s", r.LinksByKind[k], k)
		}
		out = append(out, fmt.Sprintf("%d links: %s", r.Links, strings.Join(kinds, ", ")))
	}
	return out
}
