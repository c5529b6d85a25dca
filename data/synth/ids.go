package synth

import (
	"math/rand/v2"
	"strings"
)

// incPrefix starts every ticket ID of the archive (ServiceNow incidents).
const incPrefix = "INC"

// incID formats a ServiceNow incident number: INC + 7 digits.
func incID(n int) string { return incPrefix + pad(n, 7) }

// serviceNowURL is how analysts paste a ticket link into a note.
const serviceNowURL = "https://company.service-now.com/nav_to.do?uri=incident.do?sysparm_query=number="

// refText writes a citation of id the way a person would: mostly as is,
// sometimes lower-cased or as a pasted link.
func refText(r *rand.Rand, id string) string {
	switch n := r.IntN(100); {
	case n < 8:
		return strings.ToLower(id)
	case n < 17:
		return serviceNowURL + id
	}
	return id
}

// mistype swaps two adjacent differing digits of id, the commonest typo; the
// result may not exist or may name an unrelated ticket.
func mistype(r *rand.Rand, id string) string {
	b := []byte(id)
	start := len(incPrefix)
	for range 8 {
		i := start + r.IntN(len(b)-start-1)
		if b[i] != b[i+1] {
			b[i], b[i+1] = b[i+1], b[i]
			return string(b)
		}
	}
	last := len(b) - 1
	b[last] = '0' + (b[last]-'0'+1+byte(r.IntN(8)))%10
	return string(b)
}
