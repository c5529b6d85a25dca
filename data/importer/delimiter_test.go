package importer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		name, head string
		want       rune
	}{
		{"comma", "id,opened,title\n1,2024-01-01,a\n", ','},
		{"semicolon as European Excel writes it", "id;opened;title\n1;01.02.2024 10:00;Überprüfung, dringend\n", ';'},
		{"tab", "id\topened\ttitle\n1\t2024-01-01\ta, b\n", '\t'},
		{"pipe", "id|opened|title\n1|2024-01-01|a; b\n", '|'},
		{"commas only inside quotes", "\"a,b\";\"c,d\";e\n1;2;3\n", ';'},
		{"consistent beats frequent", "a,b,c;d;e;f\n1,2,3;4\n", ','},
		{"header only", "id;opened", ';'},
		{"one column", "id\n1\n", ','},
		{"empty", "", ','},
		{"quoted newline in a row", "id;text;x\n1;\"two\nlines\";y\n", ';'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, string(tc.want), string(sniffDelimiter([]byte(tc.head))))
		})
	}
}

func TestParseDelimiter(t *testing.T) {
	for in, want := range map[string]rune{"": 0, ";": ';', "semicolon": ';', "TAB": '\t', `\t`: '\t', "pipe": '|', ",": ',', "#": '#'} {
		got, err := ParseDelimiter(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{`"`, "ab", "\n"} {
		_, err := ParseDelimiter(bad)
		assert.Error(t, err, bad)
	}
}

// A European Excel export: semicolons, Windows-1252 bytes, day-first
// dates; it imports with no option, and --delimiter overrides the sniff.
func TestReadSemicolonLatin1(t *testing.T) {
	text := "Nummer;Geöffnet;Geschlossen;Kategorie;Kurzbeschreibung\n" +
		"INC1;02.10.2013 10:15;03.10.2013 09:00;Malware;Virus auf R\xe9ception-PC \x80 Verdacht\n" +
		"INC2;14.10.2013 08:00;;Phishing;Mail an Gr\xfcn\n"
	got, rep, err := readAll(t, "export.csv", text, Options{})
	require.NoError(t, err)
	require.Len(t, got, 2, "%v", rep.Rejects)
	assert.Equal(t, "semicolon", rep.Delimiter)
	assert.Equal(t, 2, rep.Recoded)
	assert.Equal(t, "Virus auf Réception-PC € Verdacht", got[0].Title)
	assert.Equal(t, utcAt("2013-10-02T10:15:00Z"), got[0].Opened)
	assert.Equal(t, "Mail an Grün", got[1].Title)

	_, _, err = readAll(t, "export.csv", text, Options{Delimiter: ','})
	assert.Error(t, err, "one column named with semicolons: no id")
}
