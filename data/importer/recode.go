package importer

import (
	"strings"
	"unicode/utf8"
)

// cp1252 maps Windows-1252 bytes 0x80-0x9F to runes; the five bytes the code
// page leaves undefined keep their Latin-1 (C1 control) value. Bytes
// 0xA0-0xFF are the same in Windows-1252 and Latin-1.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

func byteRune(b byte) rune {
	if b >= 0x80 && b < 0xA0 {
		return cp1252[b-0x80]
	}
	return rune(b)
}

// recode returns s as valid UTF-8: valid sequences are kept and each byte
// of an invalid one is read as Windows-1252. changed reports whether any
// byte needed it.
func recode(s string) (out string, changed bool) {
	if utf8.ValidString(s) {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(byteRune(s[i]))
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String(), true
}

// recodeBytes is recode for raw JSON; structural JSON bytes are ASCII, so
// recoding a whole record never changes its shape.
func recodeBytes(raw []byte) ([]byte, bool) {
	if utf8.Valid(raw) {
		return raw, false
	}
	s, _ := recode(string(raw))
	return []byte(s), true
}
