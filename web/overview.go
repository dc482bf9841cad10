package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/rollcall/rollcall/provisioning"
)

// recentSCIM is how recent a directory token's last use must be for the directory to count
// as receiving.
const recentSCIM = 7 * 24 * time.Hour

// overviewView is what overview.html shows admins: the setup checklist and the seats.
type overviewView struct {
	base
	Checks []check
	Done   int
	Seat   seatBar
}

// check is one step of the setup checklist: done, to do, or needing attention (warn).
type check struct {
	ID, Title, Detail, Href, Link string
	State                         string
}

// overview is the org's home for owners and admins: what is set up, what is left.
func (o *Options) overview(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	seats, err := o.Service.SeatUsage(ctx, v.actor, v.org.ID)
	if err != nil {
		return err
	}
	view := overviewView{base: v.base(), Seat: newSeatBar(v.org, seats)}
	for _, step := range []func(context.Context, *visit) (check, bool, error){o.domainCheck, o.ssoCheck, o.scimCheck} {
		c, ok, err := step(ctx, v)
		if err != nil {
			return err
		}
		if ok {
			view.Checks = append(view.Checks, c)
			if c.State == "done" {
				view.Done++
			}
		}
	}
	return o.render(w, r, http.StatusOK, v.frame(v.org.Name, ""), "overview.html", view)
}

// domainCheck: is one of the org's domains verified?
func (o *Options) domainCheck(ctx context.Context, v *visit) (check, bool, error) {
	if o.Domains == nil {
		return check{}, false, nil
	}
	c := check{ID: "check-domain", Title: "Verify your email domain", Href: v.path("/domains"), Link: "Domains", State: "todo",
		Detail: "No domain yet: add your company's email domain and publish its DNS record."}
	list, err := o.Domains.List(ctx, v.actor, v.org.ID)
	if err != nil {
		return c, false, err
	}
	var verified, lost, waiting []string
	for _, d := range list {
		switch d.State {
		case provisioning.DomainVerified:
			verified = append(verified, d.DisplayName)
		case provisioning.DomainLost:
			lost = append(lost, d.DisplayName)
		default:
			waiting = append(waiting, d.DisplayName)
		}
	}
	switch {
	case len(lost) > 0:
		c.State, c.Detail = "warn", strings.Join(lost, ", ")+": the DNS record is gone, so routing and auto-join are paused."
	case len(verified) > 0:
		c.State, c.Detail = "done", strings.Join(verified, ", ")+" verified."
	case len(waiting) > 0:
		c.Detail = strings.Join(waiting, ", ") + ": waiting for the TXT record; publish it, then press Verify now."
	}
	return c, true, nil
}

// ssoCheck: does the org have a connection that is on? Only the SSO service's reads are used.
func (o *Options) ssoCheck(ctx context.Context, v *visit) (check, bool, error) {
	if o.SSO == nil {
		return check{}, false, nil
	}
	c := check{ID: "check-sso", Title: "Connect single sign-on", Href: v.path("/sso"), Link: "Single sign-on", State: "todo",
		Detail: "No connection yet: connect Okta, Entra ID, Google Workspace or any SAML or OIDC IdP."}
	list, err := o.SSO.List(ctx, v.actor, v.org.ID)
	if err != nil {
		return c, false, err
	}
	var on, off []string
	for _, conn := range list {
		name := conn.Name + " (" + strings.ToUpper(conn.Protocol) + ")"
		if conn.Enabled {
			on = append(on, name)
		} else {
			off = append(off, name)
		}
	}
	switch {
	case len(on) > 0:
		c.State, c.Detail = "done", strings.Join(on, ", ")+" on."
	case len(off) > 0:
		c.State, c.Detail = "warn", strings.Join(off, ", ")+" set up but turned off: nobody signs in through it."
	}
	return c, true, nil
}

// scimCheck: has the IdP used a live directory token lately?
func (o *Options) scimCheck(ctx context.Context, v *visit) (check, bool, error) {
	if o.Directory == nil {
		return check{}, false, nil
	}
	c := check{ID: "check-scim", Title: "Receive users from your IdP (SCIM)", Href: v.path("/scim"), Link: "Directory (SCIM)", State: "todo",
		Detail: "No directory token yet: create one and paste it with the base URL into your IdP."}
	toks, err := o.Directory.ListTokens(ctx, v.actor, v.org.ID)
	if err != nil {
		return c, false, err
	}
	act, err := o.Directory.Activity(ctx, v.actor, v.org.ID)
	if err != nil {
		return c, false, err
	}
	live := false
	var last *time.Time
	for _, t := range toks {
		if !t.Active() {
			continue
		}
		live = true
		if t.LastUsedAt != nil && (last == nil || t.LastUsedAt.After(*last)) {
			last = t.LastUsedAt
		}
	}
	pushed := plural(act.Users, "user", "users") + " and " + plural(act.Groups, "group", "groups") + " pushed"
	switch {
	case !live && act.Users > 0:
		c.State, c.Detail = "warn", pushed+", but no directory token is live: the IdP can no longer send changes."
	case !live:
	case last == nil:
		c.Detail = "A token is ready, but no request has come with it yet: paste it and the base URL into your IdP and test the connection."
	case o.Service.Now().Sub(*last) > recentSCIM:
		c.State, c.Detail = "warn", "No request since "+dateTime(*last)+"; "+pushed+"."
	default:
		c.State, c.Detail = "done", "Last request "+dateTime(*last)+"; "+pushed+"."
	}
	return c, true, nil
}
