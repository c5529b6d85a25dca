package pairtext

// Kinds lists every entity kind, in the order pair text lists them.
func Kinds() []Kind {
	out := make([]Kind, 0, numKinds)
	for k := range numKinds {
		out = append(out, k)
	}
	return out
}
