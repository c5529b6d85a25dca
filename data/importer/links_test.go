package importer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClassifyLink(t *testing.T) {
	for in, want := range map[string]string{
		"Duplicate": LinkDuplicate, "is duplicated by": LinkDuplicate, "duplicates": LinkDuplicate,
		"Relates": LinkRelates, "relates to": LinkRelates, "see_also": LinkRelates,
		"Problem/Incident": LinkCauses, "is caused by": LinkCauses,
		"Blocks": LinkBlocks, "is blocked by": LinkBlocks, "depends on": LinkBlocks,
		"Cloners": LinkClones, "is cloned by": LinkClones,
		"Parent": LinkParent, "Sub-task": LinkParent, "Epic-Story Link": LinkParent,
		"merged into": LinkMerged, " Reviewed By ": "reviewed by", "": "",
	} {
		assert.Equal(t, want, ClassifyLink(in), in)
	}
}

func TestLinkIDs(t *testing.T) {
	assert.Equal(t, []string{"101", "102"}, linkIDs("101, 102"))
	assert.Equal(t, []string{"4711", "SOC-9"}, linkIDs("https://bugzilla.example.org/show_bug.cgi?id=4711 https://jira.example.com/browse/SOC-9"))
	assert.Empty(t, linkIDs(" ; "))
	assert.Empty(t, linkIDs("https://github.com/acme/app/issues/12 https://example.org/page"),
		"a bare number of another tracker could be any ticket here")
}
