package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// date is a day as the pages show it, in UTC: "2 Jan 2026".
func date(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

// dateTime is a moment as the pages show it, in UTC: "2 Jan 2026 15:04 UTC".
func dateTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// datePtr is date of *t, or none when t is nil.
func datePtr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return date(*t)
}

// displayName is a member's name, or "" when only the email is known.
func displayName(m provisioning.Member) string {
	return strings.TrimSpace(m.FirstName + " " + m.LastName)
}

// sourceLabel names an entrance as the members table shows it: invite_link is "link",
// bootstrap (the org's first owner) "manual".
func sourceLabel(e provisioning.Entrance) string {
	switch e {
	case provisioning.EntranceInviteLink:
		return "link"
	case provisioning.EntranceBootstrap:
		return "manual"
	}
	return string(e)
}

// plural is "1 viewer" or "3 viewers": n with the noun's singular or plural form.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
