package split

import (
	"strings"
	"time"

	"github.com/precedent/precedent/data"
	"github.com/precedent/precedent/data/mining"
)

// Splits are the training positives of each window.
type Splits struct {
	Train, Validation, Test []mining.Pair
}

// WindowStats describes one window.
type WindowStats struct {
	Window     Window
	Start, End time.Time // [Start, End); the test window ends at the archive's last ticket, inclusive
	Tickets    int       // tickets opened in the window
	Queries    int       // distinct queries with at least one pair
	Pairs      int
}

// Report is what Assign did and what it dropped to prevent leakage.
type Report struct {
	Windows     [3]WindowStats
	Filtered    int // pairs that are not training positives (mining filters), skipped
	Unknown     int // pairs naming a ticket missing from the archive, dropped
	NotEarlier  int // positives not before their query in the archive's order (data.Earlier), dropped
	LaterWindow int // positives in a later window than their query, dropped
	TextLeaks   int // kept pairs whose query title/description holds the positive's ID: mask with MaskIDs
}

// Assign puts each training positive in its query's window and enforces the
// leakage guard. The rule: a pair belongs to the window its QUERY opened in,
// and a positive must come before its query (Allowed); so a training
// pair only uses tickets opened before the train window ends, a validation
// query may use train and validation tickets opened before it, and a test
// query only earlier tickets. Anything else is dropped and counted.
func Assign(pairs []mining.Pair, tickets []data.Ticket, w Windows) (Splits, Report) {
	byID := make(map[string]int, len(tickets))
	var rep Report
	for i := range rep.Windows {
		rep.Windows[i].Window = Window(i)
	}
	rep.Windows[Train].Start, rep.Windows[Train].End = w.Start, w.TrainEnd
	rep.Windows[Validation].Start, rep.Windows[Validation].End = w.TrainEnd, w.ValEnd
	rep.Windows[Test].Start, rep.Windows[Test].End = w.ValEnd, w.End
	for i := range tickets {
		byID[tickets[i].ID] = i
		rep.Windows[w.Of(tickets[i].Opened)].Tickets++
	}
	var s Splits
	queries := [3]map[string]bool{{}, {}, {}}
	for _, p := range pairs {
		if !p.Training() {
			rep.Filtered++
			continue
		}
		qi, okq := byID[p.Query]
		pi, okp := byID[p.Positive]
		if !okq || !okp {
			rep.Unknown++
			continue
		}
		q, pos := tickets[qi], tickets[pi]
		if !Allowed(q, pos) {
			rep.NotEarlier++
			continue
		}
		qw := w.Of(q.Opened)
		if w.Of(pos.Opened) > qw { // cannot follow from the rule above, kept as a second lock
			rep.LaterWindow++
			continue
		}
		if strings.Contains(strings.ToUpper(q.Title+"\n"+q.Description), strings.ToUpper(pos.ID)) {
			rep.TextLeaks++
		}
		switch qw {
		case Train:
			s.Train = append(s.Train, p)
		case Validation:
			s.Validation = append(s.Validation, p)
		default:
			s.Test = append(s.Test, p)
		}
		queries[qw][p.Query] = true
		rep.Windows[qw].Pairs++
	}
	for i := range rep.Windows {
		rep.Windows[i].Queries = len(queries[i])
	}
	return s, rep
}
