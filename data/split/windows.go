// Package split cuts mined pairs into train, validation and test windows by
// the query's opened time, and guards against leakage: no query learns from a
// ticket opened after it, and no query text gives away its positive's ID.
package split

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/precedent/precedent/data"
)

// Window names one of the three time windows.
type Window int

// The windows, in time order.
const (
	Train Window = iota
	Validation
	Test
)

// String is the window's lower-case name.
func (w Window) String() string {
	switch w {
	case Train:
		return "train"
	case Validation:
		return "validation"
	case Test:
		return "test"
	}
	return fmt.Sprintf("window(%d)", int(w))
}

// Windows are the cut points: train is [Start, TrainEnd), validation is
// [TrainEnd, ValEnd), test is [ValEnd, End]. Start and End only describe the
// archive for reports.
type Windows struct {
	TrainEnd, ValEnd time.Time
	Start, End       time.Time // first and last opened time of the archive
}

// ByFraction cuts at the time quantiles of all tickets' opened times, so that
// about train of the tickets fall in the train window and val in validation.
func ByFraction(tickets []data.Ticket, train, val float64) (Windows, error) {
	if !(train > 0 && val > 0 && train+val < 1) || math.IsNaN(train+val) {
		return Windows{}, fmt.Errorf("split fractions train=%g val=%g: need train>0, val>0, train+val<1", train, val)
	}
	if len(tickets) < 3 {
		return Windows{}, fmt.Errorf("split by fraction: %d tickets, need at least 3", len(tickets))
	}
	times := make([]time.Time, len(tickets))
	for i := range tickets {
		times[i] = tickets[i].Opened
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	n := len(times)
	at := func(f float64) time.Time { return times[min(n-1, int(math.Floor(f*float64(n))))] }
	w := Windows{TrainEnd: at(train), ValEnd: at(train + val), Start: times[0], End: times[n-1]}
	if !w.TrainEnd.Before(w.ValEnd) {
		return Windows{}, fmt.Errorf("split fractions train=%g val=%g: validation window is empty (%s)", train, val, w.TrainEnd.Format(time.RFC3339))
	}
	return w, nil
}

// ByDates cuts at explicit dates; trainEnd must come before valEnd.
func ByDates(tickets []data.Ticket, trainEnd, valEnd time.Time) (Windows, error) {
	if !trainEnd.Before(valEnd) {
		return Windows{}, fmt.Errorf("split dates: train end %s is not before validation end %s",
			trainEnd.Format(time.RFC3339), valEnd.Format(time.RFC3339))
	}
	w := Windows{TrainEnd: trainEnd, ValEnd: valEnd}
	for i := range tickets {
		o := tickets[i].Opened
		if i == 0 || o.Before(w.Start) {
			w.Start = o
		}
		if i == 0 || o.After(w.End) {
			w.End = o
		}
	}
	return w, nil
}

// Of is the window a ticket opened at t belongs to.
func (w Windows) Of(t time.Time) Window {
	switch {
	case t.Before(w.TrainEnd):
		return Train
	case t.Before(w.ValEnd):
		return Validation
	}
	return Test
}

// Allowed reports whether doc may serve as a positive or candidate of query:
// only tickets that come before the query in the archive's order
// (data.Earlier: opened time, then ID) are precedents. It is the order mining
// orients links by (mining.TiesOrder), so a link between two tickets opened
// at the same instant — or on the same day in a date-only export — is kept
// with the smaller ID as the precedent, and the other never sees it.
func Allowed(query, doc data.Ticket) bool { return data.Earlier(doc, query) }

// Default fractions of the time-ordered tickets: 80% train, 10% validation, 10% test.
const (
	DefaultTrain = 0.8
	DefaultVal   = 0.1
)
