package synth

import (
	"fmt"
	"strings"
)

// slot names one entity a phrasing template can mention.
type slot uint8

const (
	slotUser     slot = iota // account as the product writes it (login, UPN, DOMAIN\sam, display name)
	slotHost                 // host name as the product writes it (short or FQDN)
	slotHostIP               // internal address of the host
	slotSrcIP                // source address (external or internal, per rule)
	slotDstIP                // destination address
	slotCountry              // country of the current event
	slotCountry2             // previous / home country
	slotCity                 // city of the current event
	slotDomain               // remote domain
	slotURL                  // full URL
	slotHash                 // sha256
	slotProcess              // process image name
	slotParent               // parent process image name
	slotCmd                  // command line
	slotAccount              // cloud account / subscription / project ID
	slotBucket               // cloud storage bucket
	slotRegion               // cloud region
	slotFile                 // file name
	slotCount                // a count
	slotMins                 // a duration in minutes
	slotPort                 // a TCP/UDP port
	slotService              // Windows service name
	slotTask                 // scheduled task name
	slotCVE                  // CVE identifier
	slotSender               // e-mail sender address
	slotSubject              // e-mail subject
	slotSize                 // a data volume, e.g. "2.4 GB"
	slotDevice               // removable device
	slotKey                  // cloud access key ID
	slotPolicy               // IAM policy / role name
	slotSoftware             // software product and version
	slotSource               // product that raised the alert
	numSlots
)

var slotNames = [numSlots]string{
	"user", "host", "hostip", "srcip", "dstip", "country", "country2", "city", "domain", "url",
	"hash", "process", "parent", "cmd", "account", "bucket", "region", "file", "count", "mins",
	"port", "service", "task", "cve", "sender", "subject", "size", "device", "key", "policy",
	"software", "source",
}

// segment is a literal run of text followed by an optional slot.
type segment struct {
	lit  string
	slot slot
	end  bool // no slot after lit
}

// phrasing is a parsed template such as "Login by {user} from {country}".
type phrasing struct {
	segs  []segment
	needs uint64 // bit set of slots used
}

// parsePhrasing compiles a template; unknown or unclosed slots are errors.
func parsePhrasing(s string) (phrasing, error) {
	var p phrasing
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			p.segs = append(p.segs, segment{lit: s, end: true})
			return p, nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return p, fmt.Errorf("template %q: unclosed slot", s)
		}
		name := s[i+1 : i+j]
		k := slotIndex(name)
		if k < 0 {
			return p, fmt.Errorf("template %q: unknown slot %q", s, name)
		}
		p.segs = append(p.segs, segment{lit: s[:i], slot: slot(k)})
		p.needs |= 1 << uint(k)
		s = s[i+j+1:]
	}
}

func slotIndex(name string) int {
	for i, n := range slotNames {
		if n == name {
			return i
		}
	}
	return -1
}

// render appends the phrasing with the entity values filled in.
func (p phrasing) render(b *strings.Builder, v *[numSlots]string) {
	for _, s := range p.segs {
		b.WriteString(s.lit)
		if !s.end {
			b.WriteString(v[s.slot])
		}
	}
}

// mustPhrasings compiles the static catalogue; a bad entry is a programming
// error caught by the package tests, never user input.
func mustPhrasings(ss ...string) []phrasing {
	out := make([]phrasing, len(ss))
	for i, s := range ss {
		p, err := parsePhrasing(s)
		if err != nil {
			panic(err)
		}
		out[i] = p
	}
	return out
}
