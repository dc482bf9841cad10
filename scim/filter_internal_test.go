package scim

import (
	"fmt"
	"testing"
)

func TestParseFilterEntraValuePath(t *testing.T) {
	cases := map[string]string{
		`emails[type eq "work"].value eq "a@b.c"`:                        `emails[type eq "work" and value eq "a@b.c"]`,
		`emails[type eq "work" or type eq "home"].value co "]x"`:         `emails[(type eq "work" or type eq "home") and value co "]x"]`,
		`userName eq "a" and emails[type eq "work"].value pr`:            `userName eq "a" and emails[type eq "work" and value pr]`,
		`emails[type eq "work"] and emails[type eq "home"].value eq "x"`: `emails[type eq "work"] and emails[type eq "home" and value eq "x"]`,
	}
	for in, want := range cases {
		e, err := parseFilter(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := fmt.Sprint(e); got != want {
			t.Errorf("%s: parsed as %s, want %s", in, got, want)
		}
	}
	if _, err := parseFilter(`emails[type eq "work"].value eq`); err == nil {
		t.Fatal("a broken filter parses")
	}
}
