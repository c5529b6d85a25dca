package importer

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// zoned layouts carry their own offset.
var zonedLayouts = []string{
	time.RFC3339, // also accepts fractional seconds
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02T15:04:05 -0700",
	"2006-01-02 15:04:05 UTC",
	// RFC 2822 / RFC 1123 as mail, Bugzilla and many exports write them,
	// with one- or two-digit days ("Wed, 2 Oct 2013 10:15:50 +0300").
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04 -0700",
	"Mon Jan 2 15:04:05 -0700 2006", // git, Ruby
	time.UnixDate,
	"Mon Jan 2 15:04:05 2006 -0700",
}

// isoLayouts have no zone and no day/month ambiguity; they are read in
// Options.Location (default UTC). Fractional seconds after :05 are
// accepted by time.Parse.
var isoLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	// Month names: Jira's default "15/Sep/21 12:43" and its kin. Month
	// names match regardless of case.
	"2/Jan/06 15:04",
	"2/Jan/06 3:04 PM",
	"2/Jan/06 15:04:05",
	"2/Jan/06",
	"2/Jan/2006 15:04",
	"2/Jan/2006 3:04 PM",
	"2/Jan/2006 15:04:05",
	"2/Jan/2006",
	"2-Jan-2006 15:04:05",
	"2-Jan-2006 15:04",
	"2-Jan-06 15:04",
	"2-Jan-06 3:04 PM",
	"2-Jan-2006",
	"2-Jan-06",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	"2 Jan 2006",
	"Jan 2, 2006 15:04:05",
	"Jan 2, 2006 3:04:05 PM",
	"Jan 2, 2006 3:04 PM",
	"Jan 2, 2006 15:04",
	"Jan 2, 2006",
	"Mon Jan 2 15:04:05 2006",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 15:04",
	// German and Dutch write "2. Okt. 2013"; full English month names.
	"2. Jan 2006 15:04:05",
	"2. Jan 2006 15:04",
	"2. Jan 2006",
	"2 January 2006 15:04:05",
	"2 January 2006 15:04",
	"2 January 2006",
	"January 2, 2006 15:04:05",
	"January 2, 2006 3:04 PM",
	"January 2, 2006",
}

// numericDate builds the layouts of numeric day/month dates, e.g.
// "1/2/2006 3:04 PM", with separators / - . and 4- or 2-digit years.
func numericDate(dayFirst bool) []string {
	var out []string
	for _, sep := range []string{"/", "-", "."} {
		for _, year := range []string{"2006", "06"} {
			date := "1" + sep + "2" + sep + year
			if dayFirst {
				date = "2" + sep + "1" + sep + year
			}
			for _, clock := range []string{" 15:04:05", " 15:04", " 3:04:05 PM", " 3:04 PM", " 3:04PM", ", 3:04 PM", ", 15:04", ""} {
				out = append(out, date+clock)
			}
		}
	}
	return out
}

// Numeric day/month dates in either order.
var (
	mdyLayouts = numericDate(false)
	dmyLayouts = numericDate(true)
)

var errEmptyTime = errors.New("empty")

// ParseTime reads a timestamp in one of the supported layouts, as an Excel
// serial date (days since 1899-12-30, as spreadsheets store dates), or as
// epoch seconds, milliseconds, microseconds or nanoseconds (chosen by
// magnitude). Times without a zone are in loc (UTC when nil). Numeric
// dates follow the usual conventions: slashes month-first (US, as
// ServiceNow writes them), dashes and dots day-first. The result is UTC.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	var p timeParser
	return p.parse(s, loc)
}

// timeParser remembers which layout worked last: files use one format.
// order, when set ("dmy" or "mdy"), decides every numeric day/month date.
type timeParser struct {
	last  int
	order string
}

func (p *timeParser) parse(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errEmptyTime
	}
	if loc == nil {
		loc = time.UTC
	}
	var t time.Time
	var err error
	if isNumber(s) {
		t, err = parseNumber(s, loc)
	} else {
		t, err = p.layouts(s, loc)
	}
	if err != nil {
		return time.Time{}, err
	}
	if y := t.Year(); y < 1980 || y > 2200 { // no SOC ticket predates 1980; small numbers are not times
		return time.Time{}, fmt.Errorf("time %q is out of range (year %d)", s, y)
	}
	return t.UTC(), nil
}

// numericLayouts are the day/month layouts for order, in trial order.
func (p *timeParser) numericLayouts(s string) []string {
	switch p.order {
	case "dmy":
		return dmyLayouts
	case "mdy":
		return mdyLayouts
	}
	// No order given: slashes month-first, dashes and dots day-first.
	if strings.IndexByte(s, '/') >= 0 {
		return mdyLayouts
	}
	return dmyLayouts
}

func (p *timeParser) layouts(s string, loc *time.Location) (time.Time, error) {
	t, err := p.tryLayouts(s, loc)
	if err == nil {
		return t, nil
	}
	// Jira and spreadsheets write month names in the user's language.
	if en, ok := englishMonths(s); ok {
		if t, err2 := p.tryLayouts(en, loc); err2 == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// localMonths maps month abbreviations and names of German, French,
// Spanish, Italian, Dutch and Portuguese (lower case, without a trailing
// dot) to English ones, which time.Parse reads.
var localMonths = map[string]string{
	"janv": "Jan", "janvier": "Jan", "januar": "Jan", "ene": "Jan", "enero": "Jan", "gen": "Jan", "gennaio": "Jan", "januari": "Jan", "janeiro": "Jan",
	"févr": "Feb", "fevr": "Feb", "février": "Feb", "februar": "Feb", "febrero": "Feb", "febbraio": "Feb", "februari": "Feb", "fev": "Feb", "fevereiro": "Feb",
	"mär": "Mar", "märz": "Mar", "mrz": "Mar", "mars": "Mar", "marzo": "Mar", "mrt": "Mar", "maart": "Mar", "março": "Mar", "marco": "Mar",
	"avr": "Apr", "avril": "Apr", "abr": "Apr", "abril": "Apr", "aprile": "Apr",
	"mai": "May", "mayo": "May", "mag": "May", "maggio": "May", "mei": "May", "maio": "May",
	"juin": "Jun", "juni": "Jun", "junio": "Jun", "giu": "Jun", "giugno": "Jun", "junho": "Jun",
	"juil": "Jul", "juillet": "Jul", "juli": "Jul", "julio": "Jul", "lug": "Jul", "luglio": "Jul", "julho": "Jul",
	"août": "Aug", "aout": "Aug", "ago": "Aug", "agosto": "Aug", "augustus": "Aug",
	"sept": "Sep", "septembre": "Sep", "septiembre": "Sep", "set": "Sep", "settembre": "Sep", "setembro": "Sep",
	"okt": "Oct", "oktober": "Oct", "octobre": "Oct", "octubre": "Oct", "ott": "Oct", "ottobre": "Oct", "out": "Oct", "outubro": "Oct",
	"novembre": "Nov", "noviembre": "Nov", "novembro": "Nov",
	"dez": "Dec", "dezember": "Dec", "déc": "Dec", "decembre": "Dec", "décembre": "Dec", "dic": "Dec", "diciembre": "Dec", "dicembre": "Dec", "dezembro": "Dec",
}

// englishMonths rewrites a local month name in s (e.g. "15/Okt/21",
// "15/sept./21") in English; ok is false when there is none.
func englishMonths(s string) (string, bool) {
	var b strings.Builder
	changed := false
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !unicode.IsLetter(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && unicode.IsLetter(rs[j]) {
			j++
		}
		word := string(rs[i:j])
		if en, ok := localMonths[strings.ToLower(word)]; ok {
			b.WriteString(en)
			changed = true
			if j < len(rs) && rs[j] == '.' {
				j++ // "sept." → "Sep"
			}
		} else {
			b.WriteString(word)
		}
		i = j
	}
	return b.String(), changed
}

func (p *timeParser) tryLayouts(s string, loc *time.Location) (time.Time, error) {
	numeric := p.numericLayouts(s)
	n := len(zonedLayouts) + len(isoLayouts) + len(numeric)
	for k := range n {
		i := (p.last + k) % n
		var t time.Time
		var err error
		switch {
		case i < len(zonedLayouts):
			t, err = time.Parse(zonedLayouts[i], s)
		case i < len(zonedLayouts)+len(isoLayouts):
			t, err = time.ParseInLocation(isoLayouts[i-len(zonedLayouts)], s, loc)
		default:
			t, err = time.ParseInLocation(numeric[i-len(zonedLayouts)-len(isoLayouts)], s, loc)
		}
		if err == nil {
			p.last = i
			return t, nil
		}
	}
	if a, b, ok := dayMonth(s); ok && p.order != "" && (a > 12 && p.order == "mdy" || b > 12 && p.order == "dmy") {
		return time.Time{}, fmt.Errorf("unrecognised time %q: not a valid %s date (use --date-order)", s, p.order)
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

// dayMonth reads the first two numbers of a numeric date such as
// "15/03/2024 10:00" (the second of its three date numbers must be one or
// two digits, which rules out ISO dates).
func dayMonth(s string) (a, b int, ok bool) {
	nums := make([]int, 0, 3)
	i := 0
	for len(nums) < 3 {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i || j-i > 4 {
			return 0, 0, false
		}
		n, _ := strconv.Atoi(s[i:j])
		nums = append(nums, n)
		if len(nums) < 3 {
			if j >= len(s) || (s[j] != '/' && s[j] != '-' && s[j] != '.') {
				return 0, 0, false
			}
			j++
		}
		i = j
	}
	if nums[0] > 31 || nums[1] > 31 || nums[0] == 0 || nums[1] == 0 {
		return 0, 0, false
	}
	return nums[0], nums[1], true
}

// DetectDateOrder looks at sample times for a numeric date that only one
// order can read (a first number above 12 is a day). It returns "dmy",
// "mdy", or "" when the samples do not tell (or contradict each other),
// with an example that decided it.
func DetectDateOrder(samples []string) (order, example string) {
	var dmy, mdy string
	for _, s := range samples {
		a, b, ok := dayMonth(strings.TrimSpace(s))
		switch {
		case !ok:
		case a > 12 && b <= 12 && dmy == "":
			dmy = s
		case b > 12 && a <= 12 && mdy == "":
			mdy = s
		}
	}
	switch {
	case dmy != "" && mdy == "":
		return "dmy", dmy
	case mdy != "" && dmy == "":
		return "mdy", mdy
	}
	return "", ""
}

func isNumber(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return true
}

// Excel serial dates count days from 1899-12-30 (the fraction is the time
// of day); serials in this range are 1968-2119, which no epoch count is.
const (
	minExcelSerial = 25000
	maxExcelSerial = 80000
)

var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// parseNumber reads an Excel serial date (wall time in loc) or an epoch.
func parseNumber(s string, loc *time.Location) (time.Time, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= minExcelSerial && f < maxExcelSerial {
		days := math.Floor(f)
		// Round to the millisecond: serials are binary fractions of a day.
		ms := math.Round((f - days) * 86400e3)
		wall := excelEpoch.AddDate(0, 0, int(days)).Add(time.Duration(ms) * time.Millisecond)
		return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), loc), nil
	}
	return parseEpoch(s)
}

// parseEpoch picks the unit by magnitude: below 1e11 seconds (up to year
// 5138), below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
func parseEpoch(s string) (time.Time, error) {
	intPart, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("epoch time %q: %w", s, err)
	}
	var unit int64
	switch {
	case n < 1e11:
		unit = int64(time.Second)
	case n < 1e14:
		unit = int64(time.Millisecond)
	case n < 1e17:
		unit = int64(time.Microsecond)
	default:
		unit = 1
	}
	var fracNs int64
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("epoch time %q: %w", s, err)
		}
		fracNs = int64(f * float64(unit))
	}
	sec := n / (int64(time.Second) / unit)
	rem := n % (int64(time.Second) / unit)
	return time.Unix(sec, rem*unit+fracNs).UTC(), nil
}
