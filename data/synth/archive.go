package synth

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/precedent/precedent/data"
)

// Version identifies the generator; it changes whenever the same seed would
// produce a different archive.
const Version = "synth/3"

// relatedShare is the share of tickets that belong to a hidden cause; the
// rest are unrelated singletons.
const relatedShare = 0.5

// Archive is a generated archive: tickets sorted by opened time and, in the
// same order, one ground-truth record per ticket.
type Archive struct {
	Config  Config
	Tickets []data.Ticket
	Truth   []data.TruthRecord
}

// scene is the set of entities one ticket talks about.
type scene struct {
	v      [numSlots]string
	who    person
	hasWho bool
	host   int // index in pools.hosts, -1 for "pick one"
}

// event is a ticket before it has an ID.
type event struct {
	at     time.Time
	seq    int32
	cause  int32 // index in generator.causes, -1 for noise
	dupOf  int32 // seq of the original for trivial duplicates, -1 otherwise
	rule   int32
	title  string
	desc   string
	user   string
	host   string
	closed time.Time
	// late events are planned after the rest from their own random stream
	// (the drift's weekly scans): their IDs draw from it too.
	late bool
}

// generator carries the state of one Generate call.
type generator struct {
	cfg    Config
	r      *rand.Rand
	p      *pools
	rules  []rule
	byTech map[*technique][]int
	causes []*cause
	events []event
	sb     strings.Builder
}

// Generate draws an archive from cfg; the same cfg always yields the same archive.
func Generate(cfg Config) (*Archive, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	seed := uint64(cfg.Seed)
	g := &generator{cfg: cfg, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), rules: allRules(), byTech: map[*technique][]int{}}
	for i, r := range g.rules {
		g.byTech[r.tech] = append(g.byTech[r.tech], i)
	}
	g.p = newPools(g.r, cfg.Tickets)
	g.events = make([]event, 0, cfg.Tickets)
	g.planCauses(int(float64(cfg.Tickets) * relatedShare))
	g.planNoise(cfg.Tickets - len(g.events))
	if !cfg.DriftAt.IsZero() {
		g.weeklyScans(cfg.DriftAt)
	}
	slices.SortFunc(g.events, func(a, b event) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	return g.finish(), nil
}

// planCauses draws causes until budget tickets belong to one.
func (g *generator) planCauses(budget int) {
	for len(g.events) < budget {
		k := drawKind(g.r)
		c := &cause{id: k.name + "-" + pad(len(g.causes)+1, 5), kind: k, size: min(drawSize(g.r, k), budget-len(g.events))}
		days := k.minDays + g.r.IntN(k.maxDays-k.minDays+1)
		c.dur = min(time.Duration(days)*24*time.Hour, g.cfg.Span)
		c.start = g.cfg.Start.Add(time.Duration(g.r.Int64N(int64(g.cfg.Span-c.dur) + 1)))
		for i := range c.fixed.v {
			c.fixed.v[i] = ""
		}
		c.fixed.host = -1
		k.setup(g, c)
		g.causes = append(g.causes, c)
		ci := int32(len(g.causes) - 1)
		for n := 0; n < c.size; {
			at := c.start.Add(time.Duration(g.r.Int64N(int64(c.dur))))
			t := oneOf(g.r, k.techs)
			var s scene
			k.scene(g, c, &s)
			ri := g.byTech[t][g.r.IntN(len(g.byTech[t]))]
			ti, di := g.r.IntN(len(t.titles)), g.r.IntN(len(t.descs))
			orig := g.emit(at, ci, -1, ri, ti, di, &s)
			n++
			if g.r.Float64() >= k.dupRate {
				continue
			}
			for d := 1 + g.r.IntN(3); d > 0 && n < c.size; d-- {
				at = at.Add(time.Duration(30+g.r.IntN(600)) * time.Second)
				k.scene(g, c, &s)
				g.emit(at, ci, orig, ri, ti, di, &s)
				n++
			}
		}
	}
}

// planNoise adds n unrelated singletons over the whole span; they use the
// same rules and phrasings as causes, so they look alike.
func (g *generator) planNoise(n int) {
	for range n {
		at := g.cfg.Start.Add(time.Duration(g.r.Int64N(int64(g.cfg.Span))))
		ri := g.r.IntN(len(g.rules))
		t := g.rules[ri].tech
		var s scene
		s.host = -1
		if g.r.IntN(5) > 0 {
			s.who, s.hasWho = oneOf(g.r, g.p.people), true
			s.host = s.who.home
		}
		if g.r.IntN(4) == 0 {
			s.host = g.p.servers[oneOf(g.r, g.p.roles)][0]
		}
		g.emit(at, -1, -1, ri, g.r.IntN(len(t.titles)), g.r.IntN(len(t.descs)), &s)
	}
}

// emit renders one ticket of rule ri in scene s and returns its seq.
func (g *generator) emit(at time.Time, ci, dupOf int32, ri, ti, di int, s *scene) int32 {
	rl := g.rules[ri]
	t := rl.tech
	needs := t.titles[ti].needs | t.descs[di].needs
	v := s.v
	who, host := g.fill(rl, s, needs, &v)
	g.sb.Reset()
	t.titles[ti].render(&g.sb, &v)
	title := g.sb.String()
	g.sb.Reset()
	t.descs[di].render(&g.sb, &v)
	desc := g.sb.String()
	if end := g.cfg.Start.Add(g.cfg.Span); !at.Before(end) {
		at = end.Add(-time.Second) // a duplicate burst must not spill past the span
	}
	at = at.Truncate(time.Second)
	var open time.Duration
	if dupOf >= 0 {
		open = time.Duration(5+g.r.IntN(240)) * time.Minute
	} else {
		u := g.r.Float64()
		open = time.Duration(20+int(u*u*u*7*24*60)) * time.Minute
	}
	e := event{at: at, seq: int32(len(g.events)), cause: ci, dupOf: dupOf, rule: int32(ri), title: title, desc: desc, closed: at.Add(open)}
	if needs&(1<<slotUser) != 0 || s.hasWho && t.family != "network" && t.family != "vuln" {
		e.user = who
	}
	if needs&(1<<slotHost|1<<slotHostIP) != 0 || t.family == "endpoint" {
		e.host = host
	}
	g.events = append(g.events, e)
	return e.seq
}

// fill completes the entity values a phrasing needs; values fixed by the
// cause stay, the rest are drawn. It returns the canonical user and host.
func (g *generator) fill(rl rule, s *scene, needs uint64, v *[numSlots]string) (string, string) {
	r := g.r
	who := s.who
	if !s.hasWho {
		who = oneOf(r, g.p.people)
	}
	hi := s.host
	if hi < 0 {
		if who.home >= 0 && r.IntN(3) > 0 {
			hi = who.home
		} else {
			hi = oneOf(r, g.p.people).home
		}
	}
	m := g.p.hosts[hi]
	t := rl.tech
	if v[slotAccount] == "" && (needs&(1<<slotAccount) != 0 || strings.HasPrefix(rl.src, "AWS")) {
		v[slotAccount] = oneOf(r, g.p.accounts)
	}
	for k := slot(0); k < numSlots; k++ {
		if needs&(1<<k) == 0 || v[k] != "" {
			continue
		}
		switch k {
		case slotUser:
			v[k] = userText(r, who, rl.src, v[slotAccount])
		case slotHost:
			v[k] = m.name
			if t.family == "endpoint" && r.IntN(4) == 0 {
				v[k] = strings.ToLower(m.name) + ".corp.acme.local"
			}
		case slotHostIP:
			v[k] = m.ip
		case slotSrcIP:
			if t.internalSrc {
				v[k] = g.p.hosts[oneOf(r, g.p.people).home].ip
			} else {
				v[k] = externalIP(r)
			}
		case slotDstIP:
			v[k] = externalIP(r)
		case slotCountry, slotCity:
			ct := oneOf(r, countries)
			if v[slotCountry] == "" {
				v[slotCountry] = ct.name
			}
			if v[slotCity] == "" {
				v[slotCity] = ct.city
			}
		case slotCountry2:
			v[k] = who.country
		case slotDomain:
			if t.family == "dlp" {
				v[k] = oneOf(r, personalClouds)
			} else {
				v[k] = randomDomain(r)
			}
		case slotURL:
			d := v[slotDomain]
			if d == "" {
				d = randomDomain(r)
			}
			v[k] = "https://" + d + "/" + oneOf(r, []string{"login", "index.php", "api/v1/items", "search", "wp-admin/admin-ajax.php", "download"})
		case slotHash:
			v[k] = sha256Hex(r)
		case slotProcess:
			v[k] = oneOf(r, processes)
		case slotParent:
			if t.name == "Office Application Spawning Shell" {
				v[k] = oneOf(r, officeApps)
			} else {
				v[k] = oneOf(r, parents)
			}
		case slotCmd:
			v[k] = commandLine(r, t, g.p, m.name)
		case slotAccount:
			v[k] = oneOf(r, g.p.accounts)
		case slotBucket:
			v[k] = randomBucket(r)
		case slotRegion:
			v[k] = oneOf(r, regions)
		case slotFile:
			v[k] = randomFile(r)
		case slotCount:
			v[k] = strconv.Itoa(5 + r.IntN(400))
		case slotMins:
			v[k] = strconv.Itoa(10 + r.IntN(230))
		case slotPort:
			v[k] = oneOf(r, scanPorts)
		case slotService:
			v[k] = oneOf(r, services)
		case slotTask:
			v[k] = oneOf(r, tasks)
		case slotCVE:
			v[k] = oneOf(r, g.p.cves)
		case slotSender:
			d := v[slotDomain]
			if d == "" {
				d = randomDomain(r)
			}
			v[k] = oneOf(r, []string{"info", "billing", "ceo", "payments", "support"}) + "@" + d
		case slotSubject:
			v[k] = oneOf(r, subjects)
		case slotSize:
			v[k] = randomSize(r)
		case slotDevice:
			v[k] = oneOf(r, devices)
		case slotKey:
			v[k] = randomKey(r)
		case slotPolicy:
			v[k] = oneOf(r, policies)
		case slotSoftware:
			v[k] = oneOf(r, g.p.software)
		case slotSource:
			v[k] = rl.src
		}
	}
	return who.login, m.name
}

// userText writes the account the way the alerting product does, so the
// same person reads differently across rules (DOMAIN\sam, UPN, ARN, login).
func userText(r *rand.Rand, p person, src, account string) string {
	switch src {
	case "Active Directory", "Sysmon", "Defender for Endpoint", "CrowdStrike", "SentinelOne", "Splunk ES":
		if r.IntN(4) > 0 {
			return "ACME\\" + p.sam
		}
		return p.login
	case "Azure AD", "Okta", "Duo", "Sentinel", "Defender for Office 365", "Proofpoint", "Mimecast",
		"Exchange Online", "Purview DLP", "Netskope", "Azure Defender", "GCP SCC":
		if r.IntN(5) > 0 {
			return p.upn
		}
		return p.login
	case "AWS GuardDuty", "AWS Config":
		if account == "" {
			account = "000000000000"
		}
		return "arn:aws:iam::" + account + ":user/" + p.login
	}
	return p.login
}

// finish assigns IDs in time order, writes close-notes and builds the truth.
func (g *generator) finish() *Archive {
	n := len(g.events)
	pos := make([]int32, n) // seq → position
	for i, e := range g.events {
		pos[e.seq] = int32(i)
	}
	ids := make([]string, n)
	num := 10000 + g.r.IntN(20000)
	lateIDs := rand.New(rand.NewPCG(uint64(g.cfg.Seed), 0x1a7e1d5))
	for i := range ids {
		ids[i] = incID(num)
		if i+1 < n && g.events[i+1].late {
			num += 1 + lateIDs.IntN(7)
		} else {
			num += 1 + g.r.IntN(7)
		}
	}
	a := &Archive{Config: g.cfg, Tickets: make([]data.Ticket, n), Truth: make([]data.TruthRecord, n)}
	nw := newNoteWriter(g, ids, pos)
	for i := range g.events {
		e := &g.events[i]
		rl := g.rules[e.rule]
		a.Tickets[i] = data.Ticket{ID: ids[i], Opened: e.at, Closed: e.closed, Rule: rl.name, Severity: rl.tech.severity,
			Host: e.host, User: e.user, Title: e.title, Description: e.desc}
		a.Truth[i] = data.TruthRecord{ID: ids[i]}
		if e.cause >= 0 {
			c := g.causes[e.cause]
			a.Truth[i].Cause, a.Truth[i].Kind = c.id, c.kind.name
		}
		if e.dupOf >= 0 {
			a.Truth[i].TrivialDupOf = ids[pos[e.dupOf]]
		}
	}
	nw.write(a)
	nw.afterwards(a)
	if g.cfg.DateOnly {
		a.toDates()
	}
	if !g.cfg.DriftAt.IsZero() {
		a.applyDrift(g.cfg.DriftAt)
	}
	return a
}
