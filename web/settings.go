package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// settingsView is what settings.html shows: the seat rules, default role, invitation expiry and
// token rate limit, and the org contact, each form carrying the values it was shown with.
type settingsView struct {
	base
	Settings provisioning.Settings
	Contact  provisioning.Contact
	Roles    []option
	Expiries []option
}

// expiryChoices are the invitation lifetimes the form offers, in hours.
var expiryChoices = [][2]string{{"24", "1 day"}, {"72", "3 days"}, {"168", "7 days"}, {"336", "14 days"},
	{"720", "30 days"}, {"2160", "90 days"}, {"0", "Never"}}

// settings shows the settings forms (owners, admins).
func (o *Options) settings(w http.ResponseWriter, r *http.Request, v *visit) error {
	s, err := o.Service.GetSettings(r.Context(), v.actor, v.org.ID)
	if err != nil {
		return err
	}
	expiries := expiryChoices
	hours := strconv.Itoa(s.InviteExpiryHours)
	if !offered(expiries, hours) {
		expiries = append([][2]string{{hours, hours + " hours"}}, expiries...)
	}
	view := settingsView{base: v.base(), Settings: s, Contact: v.org.Contact,
		Roles:    options([][2]string{{"member", "Member (with a seat while seats are free)"}, {"viewer", "Viewer (no seat)"}}, string(s.DefaultRole)),
		Expiries: options(expiries, hours)}
	return o.render(w, r, http.StatusOK, v.frame("Settings", "/settings"), "settings.html", view)
}

// changed reports whether a field differs from the value the form was shown with (was_name),
// and its new value. A checkbox is "on" when ticked and absent when not.
func changed(f url.Values, name string, checkbox bool) (string, bool) {
	now, was := clean(f.Get(name)), clean(f.Get("was_"+name))
	if checkbox {
		now = strconv.FormatBool(now == "on")
	}
	return now, now != was
}

// clean trims a form value and gives it the line ends it was shown with (forms send CRLF).
func clean(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n") }

// saveSettings sends only the settings the person changed, so a setting someone else changed
// meanwhile keeps its value.
func (o *Options) saveSettings(w http.ResponseWriter, r *http.Request, v *visit) error {
	in, err := settingsChange(r.PostForm)
	if err == nil && in.Empty() {
		redirectWithNotice(w, r, v.path("/settings"), "Nothing changed.", o.SecureCookies)
		return nil
	}
	if err == nil {
		_, err = o.Service.UpdateSettings(r.Context(), v.actor, v.org.ID, in)
	}
	return o.saved(w, r, v, "Settings saved.", err)
}

func settingsChange(f url.Values) (provisioning.SettingsChange, error) {
	var c provisioning.SettingsChange
	if s, ok := changed(f, "default_role", false); ok {
		role := provisioning.Role(s)
		c.DefaultRole = &role
	}
	for _, b := range []struct {
		name string
		dst  **bool
	}{{"auto_assign", &c.AutoAssignSeats}, {"reserve_seats", &c.ReserveSeatsForInvites}} {
		if s, ok := changed(f, b.name, true); ok {
			on := s == "true"
			*b.dst = &on
		}
	}
	for _, n := range []struct {
		name, label string
		dst         **int
	}{{"invite_expiry", "invitation expiry", &c.InviteExpiryHours}, {"token_rate", "token rate limit", &c.TokenRateLimitPerMinute}} {
		if s, ok := changed(f, n.name, false); ok {
			i, err := strconv.Atoi(s)
			if err != nil {
				return c, provisioning.Invalidf(n.name, "the %s must be a whole number", n.label)
			}
			*n.dst = &i
		}
	}
	return c, nil
}

// saveContact changes the contact fields the person changed, keeping the others as they are now.
func (o *Options) saveContact(w http.ResponseWriter, r *http.Request, v *visit) error {
	c := v.org.Contact
	touched := false
	for _, field := range []struct {
		name string
		dst  *string
	}{{"name", &c.Name}, {"email", &c.Email}, {"phone", &c.Phone}, {"notes", &c.Notes}} {
		if s, ok := changed(r.PostForm, "contact_"+field.name, false); ok {
			*field.dst, touched = s, true
		}
	}
	if !touched {
		redirectWithNotice(w, r, v.path("/settings"), "Nothing changed.", o.SecureCookies)
		return nil
	}
	_, err := o.Service.UpdateContact(r.Context(), v.actor, v.org.ID, c)
	return o.saved(w, r, v, "Contact saved: every member sees it on the organization page.", err)
}

// saved answers a settings form: back to the settings with notice, or with the refusal.
func (o *Options) saved(w http.ResponseWriter, r *http.Request, v *visit, notice string, err error) error {
	switch {
	case err != nil && httperr.StatusOf(err) >= 500:
		return err
	case err != nil:
		redirectWithAlert(w, r, v.path("/settings"), refusal(err), o.SecureCookies)
	default:
		redirectWithNotice(w, r, v.path("/settings"), notice, o.SecureCookies)
	}
	return nil
}
