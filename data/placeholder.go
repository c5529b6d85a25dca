package data

import "strings"

// placeholders are what exports write in a field that holds nothing:
// ServiceNow's "?" and "-", spreadsheets' "N/A" and "#N/A", JSON's "null".
var placeholders = map[string]bool{
	"": true, "?": true, "??": true, "???": true, "-": true, "--": true, "---": true, "—": true, "–": true,
	".": true, "_": true, "*": true, "/": true,
	"n/a": true, "#n/a": true, "na": true, "n.a.": true, "none": true, "null": true, "nil": true, "<null>": true,
	"(null)": true, "undefined": true, "unknown": true, "(unknown)": true, "<unknown>": true, "empty": true,
	"(empty)": true, "<empty>": true, "not set": true, "(not set)": true, "not available": true, "tbd": true,
	"0": true,
}

// Placeholder reports whether a field value stands for "no value": blank, or
// one of the fillers exports write instead ("?", "-", "N/A", "none", "null",
// "unknown"; case and surrounding space do not matter). A placeholder is
// never an entity and never evidence that two tickets share something.
func Placeholder(v string) bool {
	return placeholders[strings.ToLower(strings.TrimSpace(v))]
}
