package mining

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// fakeArchive generates a small SOC archive with ground truth for tests and
// benchmarks: causes of three kinds (small travel groups, maintenance
// windows, phishing campaigns with a master case), noise tickets, trivial
// duplicate alerts, typo citations and references to changes and KB articles.
func fakeArchive(n int, seed uint64) ([]data.Ticket, []data.TruthRecord) {
	rng := rand.New(rand.NewPCG(seed, 7))
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	year := 365 * 24 * time.Hour
	rules := make([]string, 200)
	for i := range rules {
		rules[i] = fmt.Sprintf("Rule %03d - %s", i, []string{"Impossible Travel", "Password Spray", "Phishing Link Clicked", "Admin Tool Use", "Malware Beacon"}[i%5])
	}
	words := strings.Fields("user signed in from unusual location host process spawned powershell encoded command outbound connection blocked firewall mailbox rule created suspicious attachment opened by recipient service account token refreshed")
	text := func(k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		return b.String()
	}
	type member struct {
		t     data.Ticket
		truth data.TruthRecord
	}
	var all []member
	cause := 0
	for len(all) < n {
		r := rng.Float64()
		switch {
		case r < 0.35: // noise
			all = append(all, member{t: data.Ticket{Opened: start.Add(time.Duration(rng.Int64N(int64(year)))), Rule: rules[rng.IntN(len(rules))],
				Host: fmt.Sprintf("ws%05d", rng.IntN(20000)), Title: text(6), Description: text(30),
				CloseNotes: []string{"False positive, closed.", "Benign, user confirmed.", "Tuned rule, see CHG00" + fmt.Sprint(10000+rng.IntN(90000)) + ".", "Known scanner per KB00" + fmt.Sprint(10000+rng.IntN(90000))}[rng.IntN(4)]}})
			continue
		}
		cause++
		kind, size := "travel", 2+rng.IntN(4)
		if r > 0.9 {
			kind, size = "phishing-campaign", 10+rng.IntN(60)
		} else if r > 0.7 {
			kind, size = "admin-maintenance", 4+rng.IntN(12)
		}
		rule := rules[rng.IntN(len(rules))]
		rule2 := rules[rng.IntN(len(rules))]
		at := start.Add(time.Duration(rng.Int64N(int64(year))))
		base := len(all)
		for k := 0; k < size; k++ {
			rl := rule
			if rng.IntN(3) == 0 {
				rl = rule2
			}
			all = append(all, member{
				t:     data.Ticket{Opened: at, Rule: rl, Host: fmt.Sprintf("ws%05d", rng.IntN(20000)), Title: text(6), Description: text(30)},
				truth: data.TruthRecord{Cause: fmt.Sprintf("c%d", cause), Kind: kind},
			})
			at = at.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
		}
		grp := all[base:]
		if kind == "phishing-campaign" {
			grp[0].truth.Master = true
		}
		// Trivial duplicates: same rule, minutes later, another host.
		for k := range grp {
			if rng.IntN(20) == 0 {
				d := grp[k]
				d.t.Opened = d.t.Opened.Add(time.Duration(2+rng.IntN(20)) * time.Minute)
				d.t.Host = fmt.Sprintf("ws%05d", rng.IntN(20000))
				d.truth.Master = false
				d.truth.TrivialDupOf = fmt.Sprint(base + k) // resolved to an ID below
				d.t.CloseNotes = "dup"
				all = append(all, d)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].t.Opened.Before(all[j].t.Opened) })
	// Assign IDs in time order, then write notes that cite earlier members.
	for i := range all {
		id := fmt.Sprintf("INC%07d", 1000000+i)
		all[i].t.ID, all[i].truth.ID = id, id
	}
	byCause := map[string][]int{}
	for i := range all {
		if all[i].truth.TrivialDupOf == "" && all[i].truth.Cause != "" {
			byCause[all[i].truth.Cause] = append(byCause[all[i].truth.Cause], i)
		}
	}
	cues := []string{"See", "Same as", "As in", "Confirmed in", "Similar to", "Related to", "Per"}
	causes := make([]string, 0, len(byCause))
	for c := range byCause {
		causes = append(causes, c)
	}
	sort.Strings(causes)
	for _, c := range causes {
		ms := byCause[c]
		master := -1
		if all[ms[0]].truth.Master {
			master = ms[0]
		}
		for k, i := range ms {
			m := &all[i]
			m.t.CloseNotes = "Investigated, benign. " + text(8)
			if k == 0 {
				continue
			}
			var target int
			switch {
			case master >= 0:
				target = master
				m.t.CloseNotes += fmt.Sprintf(" Part of the %s campaign, tracked in %s.", m.truth.Cause, all[master].t.ID)
			case rng.IntN(10) < 9:
				target = ms[k-1-rng.IntN(min(k, 2))]
				m.t.CloseNotes += fmt.Sprintf(" %s %s.", cues[rng.IntN(len(cues))], all[target].t.ID)
			default:
				continue // no citation: this ticket stays unrevealed
			}
			if rng.IntN(50) == 0 { // typo: a wrong digit, pointing at some other ticket
				wrong := rng.IntN(len(all))
				m.t.CloseNotes = strings.Replace(m.t.CloseNotes, all[target].t.ID, all[wrong].t.ID, 1)
				continue
			}
			if rng.IntN(10) == 0 {
				m.t.CloseNotes = strings.Replace(m.t.CloseNotes, all[target].t.ID, "https://snow.example.com/incident.do?sysparm_query=number="+strings.ToLower(all[target].t.ID)+"&x=1", 1)
			}
			m.truth.Cites = append(m.truth.Cites, all[target].t.ID)
		}
	}
	// Trivial duplicates name their original: the latest earlier ticket of the same cause and rule.
	for i := range all {
		d := &all[i]
		if d.truth.TrivialDupOf == "" {
			continue
		}
		best := -1
		for j := i - 1; j >= 0 && d.t.Opened.Sub(all[j].t.Opened) <= time.Hour; j-- {
			if all[j].truth.Cause == d.truth.Cause && all[j].t.Rule == d.t.Rule && all[j].truth.TrivialDupOf == "" {
				best = j
				break
			}
		}
		if best < 0 {
			d.truth.TrivialDupOf = ""
			d.t.CloseNotes = "Closed."
			continue
		}
		d.truth.TrivialDupOf = all[best].t.ID
		d.truth.Cites = []string{all[best].t.ID}
		d.t.CloseNotes = []string{"Duplicate of ", "Same alert on another host, ", "dup "}[rng.IntN(3)] + all[best].t.ID
	}
	tickets := make([]data.Ticket, len(all))
	truth := make([]data.TruthRecord, len(all))
	for i := range all {
		tickets[i], truth[i] = all[i].t, all[i].truth
	}
	return tickets, truth
}
