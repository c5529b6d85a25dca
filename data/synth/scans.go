package synth

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// After the drift a vulnerability scanner is connected to the ticket queue:
// every week it opens one ticket per host that still has the fleet's
// unpatched finding, all within minutes of each other, until the host is
// patched a few weeks later and another host takes its place; analysts
// cite the earlier weeks' tickets on the same host. The precedent is a week old;
// the tickets opened minutes before it, with the same rule and nearly the
// same text, are other hosts' findings, not related. A model that learned
// "the precedent is the recent look-alike" ranks those first; keyword
// search, which matches the host, does not.
const (
	// ScanHostsPer is how many tickets of the archive's size bring one
	// host in each weekly scan (at least minScanHosts).
	ScanHostsPer = 150
	minScanHosts = 6
	// A host stays unpatched, and in the scans, this many weeks.
	scanMinWeeks, scanMaxWeeks = 2, 6
	// ScanShare is the chance a host's finding is in a given week's scan
	// (scan jobs time out, hosts are off).
	ScanShare = 0.8
	// ScanRule is the scanner integration's rule, new at the drift.
	ScanRule      = "Scanner Connector - Unpatched Vulnerability"
	scanSource    = "Scanner Connector"
	scanTechnique = "Critical Vulnerability Detected"
)

// scanKind is the hidden cause of one host's recurring finding.
var scanKind = &causeKind{name: "unpatched-finding", masterAt: 1 << 30,
	why: []string{"unpatched finding", "recurring scan finding", "missing patch", "open vulnerability"},
	verdicts: mustPhrasings("Still unpatched on {host}, owner reminded.", "Patch pending for {host}, exception not approved.",
		"Recurring finding on {host}; remediation ticket open.", "Same finding on {host}, patch window next week.")}

// weeklyScans plans the scanner's tickets from at to the archive's end.
// They draw from their own random stream and are marked late, so the
// tickets opened before at are those of the same Config without drift.
// Call it after every other event is planned, before they are sorted.
func (g *generator) weeklyScans(at time.Time) {
	end := g.cfg.Start.Add(g.cfg.Span)
	seed := uint64(g.cfg.Seed)
	r := rand.New(rand.NewPCG(seed^0x7e57ab1e5ca11ed, seed+0x5ca1ab1e))
	var tech *technique
	for _, rl := range g.rules {
		if rl.tech.name == scanTechnique {
			tech = rl.tech
			break
		}
	}
	if tech == nil || !at.Before(end) {
		return
	}
	// A new integration: its rule was never seen before the drift.
	g.rules = append(g.rules, rule{name: ScanRule, tech: tech, src: scanSource})
	ri := int32(len(g.rules) - 1)
	cve, software := oneOf(r, g.p.cves), oneOf(r, g.p.software)
	cvss := 7 + float64(r.IntN(30))/10
	slots := max(minScanHosts, g.cfg.Tickets/ScanHostsPer)
	hosts := r.Perm(len(g.p.hosts))
	next := 0
	first := at.Truncate(24 * time.Hour).Add(26 * time.Hour) // the day after the drift, 02:00
	titles := []string{"%[1]s still open on %[2]s", "Weekly scan: %[1]s on %[2]s", "Unpatched %[3]s (%[1]s) on %[2]s"}
	const week = 7 * 24 * time.Hour
	for k := range slots {
		for from := first; from.Before(end); {
			hi := hosts[next%len(hosts)]
			next++
			m := g.p.hosts[hi]
			weeks := scanMinWeeks + r.IntN(scanMaxWeeks-scanMinWeeks+1)
			c := &cause{id: fmt.Sprintf("%s-%05d", scanKind.name, len(g.causes)+1), kind: scanKind, start: from, dur: time.Duration(weeks) * week}
			c.fixed.host = hi
			c.fixed.v[slotHost], c.fixed.v[slotHostIP], c.fixed.v[slotCVE], c.fixed.v[slotSoftware] = m.name, m.ip, cve, software
			g.causes = append(g.causes, c)
			ci := int32(len(g.causes) - 1)
			for w := range weeks {
				when := from.Add(time.Duration(w)*week + time.Duration(20*k+r.IntN(20))*time.Second)
				if !when.Before(end) {
					break
				}
				if r.Float64() >= ScanShare {
					continue
				}
				title := fmt.Sprintf(oneOf(r, titles), cve, m.name, software)
				desc := fmt.Sprintf("Scan found %s (CVSS %.1f) in %s on %s (%s). Plugin %d; listening on ports %d and %d; last authenticated scan %d hours ago.",
					cve, cvss, software, m.name, m.ip, 10000+r.IntN(90000), 1+r.IntN(65535), 1+r.IntN(65535), 1+r.IntN(200))
				closed := when.Add(time.Duration(60+r.IntN(3*24*60)) * time.Minute)
				g.events = append(g.events, event{at: when, seq: int32(len(g.events)), cause: ci, dupOf: -1, rule: ri,
					title: title, desc: desc, host: m.name, closed: closed, late: true})
				c.size++
			}
			from = from.Add(time.Duration(weeks) * week)
		}
	}
}
