package importer

import "strings"

// statusNames are the normalised names (see aliases) of the columns that
// say whether a ticket is still open, most telling first: Jira's
// status.name and statusCategory.key, ServiceNow's state and
// incident_state, Sentinel's and GitHub's status / state, Splunk's
// status_label, Bugzilla's is_open.
var statusNames = []string{"status", "state", "incidentstate", "statuslabel", "statusname", "statuscategory", "isopen"}

// openStatuses are status values (lower case, separators as spaces) that
// say a ticket was still being worked on when it was exported. Numeric
// states (ServiceNow's 1-8) are not read: their meaning is per instance.
var openStatuses = map[string]bool{
	"new": true, "open": true, "opened": true, "active": true, "in progress": true, "inprogress": true,
	"assigned": true, "pending": true, "on hold": true, "reopened": true, "triage": true, "to do": true,
	"todo": true, "unconfirmed": true, "confirmed": true, "acknowledged": true, "investigating": true,
	"waiting": true, "indeterminate": true, "backlog": true, "in review": true, "awaiting info": true,
	"work in progress": true, "true": true, // is_open
	"neu": true, "offen": true, "in bearbeitung": true, "nouveau": true, "ouvert": true, "en cours": true,
}

// statusReader finds, per ticket, the status that says it is open.
type statusReader struct {
	cols []string // candidate status columns, most telling first
}

// detectStatus picks the columns that hold a ticket's status: those whose
// name or path answers to a status name, outside related entities and
// arrays, most telling first.
func detectStatus(columns []string, related map[string]bool) statusReader {
	var out []string
	for _, want := range statusNames {
		for level := 0; level < 3; level++ {
			for _, c := range columns {
				if strings.Contains(c, "[]") || underAny(c, related) || underRelatedKey(c) || contains(out, c) {
					continue
				}
				if a := aliases(c); level < len(a) && a[level] == want {
					out = append(out, c)
				}
			}
		}
	}
	return statusReader{cols: out}
}

// openStatus returns the status that says rw's ticket is still open, or
// "" when its status says closed, says nothing known, or is missing.
func (s statusReader) openStatus(rw *row) string {
	for _, col := range s.cols {
		for i, n := range rw.names {
			if n != col || i >= len(rw.values) {
				continue
			}
			v := strings.TrimSpace(rw.values[i])
			if v == "" {
				continue
			}
			k := strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(strings.ToLower(v))), " ")
			if openStatuses[k] {
				return v
			}
			return ""
		}
	}
	return ""
}
