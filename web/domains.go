package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// domainsView is what domains.html shows: each domain with its TXT record to copy, its state,
// the last and next checks, auto-join and what it means for people at the domain; and the form
// to add one, with the values a refusal sends back.
type domainsView struct {
	base
	Domains []domainRow
	// Interval is how often verified domains are checked again, in words.
	Interval string
	Name     string
	AutoJoin bool
	Roles    []option
}

// domainRow is one domain of the page.
type domainRow struct {
	domains.Info
	// Anchor is the element id of the domain's card; Action its forms' address.
	Anchor, Action     string
	Checked, NextCheck string
	Happens            string
	Roles              []option
	// Locked: the domain's auto-joins get the admin role, which only owners change.
	Locked bool
}

// domainsPage shows the org's domains (owners, admins).
func (o *Options) domainsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := o.domainsView(r.Context(), v)
	if err != nil {
		return err
	}
	return o.render(w, r, http.StatusOK, v.frame("Domains", "/domains"), "domains.html", view)
}

func (o *Options) domainsView(ctx context.Context, v *visit) (domainsView, error) {
	if o.Domains == nil {
		return domainsView{}, unavailable("Domains")
	}
	list, err := o.Domains.List(ctx, v.actor, v.org.ID)
	if err != nil {
		return domainsView{}, err
	}
	view := domainsView{base: v.base(), Roles: joinRoles(v.role(), provisioning.RoleMember),
		Interval: durationWords(o.Domains.ReverifyInterval())}
	for _, d := range list {
		view.Domains = append(view.Domains, o.domainRow(v, d))
	}
	return view, nil
}

func (o *Options) domainRow(v *visit, d domains.Info) domainRow {
	row := domainRow{Info: d, Anchor: "domain-" + d.Name, Action: v.path("/domains/" + url.PathEscape(d.Name)),
		Checked: "never", NextCheck: "only when you press Verify now: Rollcall re-checks a domain by itself once it is verified",
		Happens: happensAtDomain(d, v.org), Roles: joinRoles(v.role(), d.JoinRole),
		Locked: d.JoinRole == provisioning.RoleAdmin && v.role() != provisioning.RoleOwner}
	if d.CheckedAt != nil {
		row.Checked = dateTime(*d.CheckedAt)
	}
	if next, ok := o.Domains.NextCheck(d.Domain); ok {
		row.NextCheck = "by " + dateTime(next)
	}
	return row
}

// joinRoles are the roles auto-join may give, current selected: admin only for owners (or when
// it is already the role).
func joinRoles(me, current provisioning.Role) []option {
	choices := [][2]string{{"member", "Member (a seat while seats are free)"}, {"viewer", "Viewer (no seat)"}}
	if me == provisioning.RoleOwner || current == provisioning.RoleAdmin {
		choices = append(choices, [2]string{"admin", "Admin"})
	}
	return options(choices, string(current))
}

// happensAtDomain says what the domain does for people with an email there, in its state.
func happensAtDomain(d domains.Info, org provisioning.OrgView) string {
	at := "@" + d.DisplayName
	switch {
	case d.State == provisioning.DomainLost:
		return "Paused: the record is gone, so " + at + " addresses are not sent to " + org.Name + "'s single sign-on and nobody joins through this domain until a check finds the record again."
	case d.State != provisioning.DomainVerified:
		return "Nothing yet: until the record is found, " + at + " addresses are not sent to single sign-on and nobody joins through this domain."
	case !d.AutoJoin:
		return "People signing in with an " + at + " address are sent to " + org.Name + "'s single sign-on, if it has a connection. Nobody joins just by having an address here: turn auto-join on for that."
	}
	role := string(d.JoinRole)
	switch {
	case d.JoinRole == provisioning.RoleViewer:
		role = "viewer (no seat)"
	case !settingsOf(org).AutoAssignSeats && d.JoinRole != provisioning.RoleAdmin:
		role = "viewer, because seats are not assigned automatically (see Settings)"
	default:
		role += " while a seat is free, otherwise as viewer"
	}
	return "Anyone who signs in with a verified " + at + " address (by email link, or through an SSO connection of " + org.Name +
		" that vouches for it) and is not a member yet joins as " + role + ". Suspended and removed members are not brought back this way. " +
		at + " addresses are also sent to " + org.Name + "'s single sign-on, if it has a connection."
}

// durationWords is a duration as a page says it: "6 hours", "90 minutes", "45 seconds".
func durationWords(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour", "hours")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute", "minutes")
	}
	return d.Round(time.Second).String()
}

// addDomain claims a domain and shows its record to publish; a refusal keeps the form's values.
func (o *Options) addDomain(w http.ResponseWriter, r *http.Request, v *visit) error {
	if o.Domains == nil {
		return unavailable("Domains")
	}
	f := r.PostForm
	in := domains.AddInput{Name: f.Get("name"), AutoJoin: f.Get("auto_join") == "on", Role: provisioning.Role(f.Get("role"))}
	d, err := o.Domains.Add(r.Context(), v.actor, v.org.ID, in)
	if err == nil {
		redirectWithNotice(w, r, v.path("/domains")+"#domain-"+d.Name, "Added "+d.DisplayName+
			". Publish its TXT record at your DNS provider, then press Verify now.", o.SecureCookies)
		return nil
	}
	if httperr.StatusOf(err) >= 500 {
		return err
	}
	view, verr := o.domainsView(r.Context(), v)
	if verr != nil {
		return verr
	}
	view.Name, view.AutoJoin, view.Roles = f.Get("name"), in.AutoJoin, joinRoles(v.role(), in.Role)
	p := v.frame("Domains", "/domains")
	p.Alert = refusal(err)
	return o.render(w, r, httperr.StatusOf(err), p, "domains.html", view)
}

// verifyDomain looks the record up now and says what it found, in words.
func (o *Options) verifyDomain(w http.ResponseWriter, r *http.Request, v *visit) error {
	if o.Domains == nil {
		return unavailable("Domains")
	}
	d, err := o.Domains.Verify(r.Context(), v.actor, v.org.ID, r.PathValue("domain"))
	if err != nil {
		return o.domainDone(w, r, v, "", "", err)
	}
	msg := checkWords(d)
	if d.State == provisioning.DomainVerified && d.Outcome == domains.OutcomeFound {
		return o.domainDone(w, r, v, d.Name, msg, nil)
	}
	redirectWithAlert(w, r, v.path("/domains")+"#domain-"+d.Name, msg, o.SecureCookies)
	return nil
}

// checkWords says what a check found and what it means for the domain.
func checkWords(d domains.Info) string {
	name := d.DisplayName
	switch d.Outcome {
	case domains.OutcomeFound:
		if d.State == provisioning.DomainVerified {
			return "Record found: " + name + " is verified."
		}
		return "Record found, but " + name + " is not verified: " + d.Reason + "."
	case domains.OutcomeMissing:
		return "Record missing: " + d.Reason + ". DNS changes can take a while to show; press Verify now again later."
	case domains.OutcomeWrongValue:
		return "Wrong value: " + d.Reason + "."
	case domains.OutcomeTimeout:
		return "DNS timeout: " + d.Reason + ". " + name + " stays " + string(d.State) + "."
	}
	return "DNS lookup failed: " + d.Reason + ". " + name + " stays " + string(d.State) + "."
}

// domainAutoJoin sends the auto-join settings the person changed.
func (o *Options) domainAutoJoin(w http.ResponseWriter, r *http.Request, v *visit) error {
	if o.Domains == nil {
		return unavailable("Domains")
	}
	var in domains.UpdateInput
	if s, ok := changed(r.PostForm, "auto_join", true); ok {
		on := s == "true"
		in.AutoJoin = &on
	}
	if s, ok := changed(r.PostForm, "role", false); ok {
		role := provisioning.Role(s)
		in.Role = &role
	}
	name := r.PathValue("domain")
	if in.AutoJoin == nil && in.Role == nil {
		redirectWithNotice(w, r, v.path("/domains"), "Nothing changed.", o.SecureCookies)
		return nil
	}
	d, err := o.Domains.Update(r.Context(), v.actor, v.org.ID, name, in)
	msg := "Auto-join for " + d.DisplayName + " is off: nobody joins just by having an address there."
	if d.AutoJoin {
		msg = fmt.Sprintf("Auto-join for %s is on: people with a verified address there join as %s.", d.DisplayName, d.JoinRole)
	}
	return o.domainDone(w, r, v, d.Name, msg, err)
}

// removeDomain removes a domain once confirmed: the page first says what removal does.
func (o *Options) removeDomain(w http.ResponseWriter, r *http.Request, v *visit) error {
	if o.Domains == nil {
		return unavailable("Domains")
	}
	name := r.PathValue("domain")
	if !confirmed(r) {
		d, err := o.Domains.Get(r.Context(), v.actor, v.org.ID, name)
		if err != nil {
			return o.domainDone(w, r, v, "", "", err)
		}
		return o.render(w, r, http.StatusOK, v.frame("Remove "+d.DisplayName+"?", "/domains"), "confirm.html", confirmView{base: v.base(),
			Action: v.path("/domains/" + url.PathEscape(d.Name) + "/remove"), Button: "Remove " + d.DisplayName, Back: v.path("/domains"),
			Question: "Removing " + d.DisplayName + " from " + v.org.Name + ":",
			Keeps: []string{"stops sending its addresses to your single sign-on, at once;", "stops auto-join through it, at once;",
				"keeps everyone who joined through it;", "lets another organization verify it."}})
	}
	err := o.Domains.Remove(r.Context(), v.actor, v.org.ID, name)
	return o.domainDone(w, r, v, "", "Removed "+name+". Members who joined through it stay.", err)
}

// domainDone answers a domain form: back to the domains (at the domain named) with the notice,
// or with the refusal.
func (o *Options) domainDone(w http.ResponseWriter, r *http.Request, v *visit, name, notice string, err error) error {
	to := v.path("/domains")
	if name != "" {
		to += "#domain-" + name
	}
	switch {
	case err != nil && httperr.StatusOf(err) >= 500:
		return err
	case err != nil:
		redirectWithAlert(w, r, to, refusal(err), o.SecureCookies)
	default:
		redirectWithNotice(w, r, to, notice, o.SecureCookies)
	}
	return nil
}

// unavailable is the error of a setup page whose service this server does not run.
func unavailable(what string) error {
	return provisioning.Errorf(provisioning.CodeNotFound, "%s are not available on this server", what)
}
