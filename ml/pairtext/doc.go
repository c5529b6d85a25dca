// Package pairtext renders the two sides of a cross-encoder pair — the new
// ticket (query) and an archived precedent (document) — as text.
//
// What goes into that text matters as much as the weights: a small model
// went from MRR@10 0.17 to 0.69 once the pair text carried the tickets'
// entities (users, hosts, IPs, domains, hashes), the rule, and the time gap
// between the tickets. Format chooses those parts; the structured preset is
// the default. Pure Go, no cgo.
package pairtext
