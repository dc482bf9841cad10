package web

import (
	"net/http"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
)

// linksView is what links.html shows: the org's invite link per role, and the one just made.
type linksView struct {
	base
	Links []linkRow
}

// linkRow is the invite link of one role. URL is set only right after it was made: Rollcall
// keeps only its hash.
type linkRow struct {
	invites.LinkInfo
	Created string
	// Locked: the admin link, which only owners manage.
	Locked bool
}

// linksPage shows the org's invite links (owners, admins).
func (o *Options) linksPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := o.linksView(r, v, invites.LinkInfo{})
	if err != nil {
		return err
	}
	return o.render(w, r, http.StatusOK, v.frame("Invite links", "/invite-links"), "links.html", view)
}

// linksView lists the links, with fresh (a link just made) in place of its role's.
func (o *Options) linksView(r *http.Request, v *visit, fresh invites.LinkInfo) (linksView, error) {
	links, err := o.Invites.Links(r.Context(), v.actor, v.org.ID)
	if err != nil {
		return linksView{}, err
	}
	view := linksView{base: v.base()}
	for _, l := range links {
		if l.Role == fresh.Role {
			l = fresh
		}
		row := linkRow{LinkInfo: l, Created: datePtr(l.CreatedAt, ""),
			Locked: l.Role == provisioning.RoleAdmin && v.role() != provisioning.RoleOwner}
		view.Links = append(view.Links, row)
	}
	return view, nil
}

// regenerateLink makes a new link for the role and shows it once; the old one stops working.
// Replacing a link that is on asks first.
func (o *Options) regenerateLink(w http.ResponseWriter, r *http.Request, v *visit) error {
	role := provisioning.Role(r.PathValue("role"))
	if !confirmed(r) {
		current, err := o.Invites.Link(r.Context(), v.actor, v.org.ID, role)
		if err != nil {
			return o.linkDone(w, r, v, "", err)
		}
		if current.Enabled {
			return o.render(w, r, http.StatusOK, v.frame("Replace the "+string(role)+" invite link?", "/invite-links"), "confirm.html", confirmView{base: v.base(),
				Action: v.path("/invite-links/" + string(role) + "/regenerate"), Button: "Make a new link", Back: v.path("/invite-links"),
				Question: "A new " + string(role) + " invite link for " + v.org.Name + ":",
				Keeps:    []string{"stops the current link at once: people who have it can no longer join;", "is shown once, for you to copy and share."}})
		}
	}
	l, err := o.Invites.RegenerateLink(r.Context(), v.actor, v.org.ID, role)
	if err != nil {
		return o.linkDone(w, r, v, "", err)
	}
	view, err := o.linksView(r, v, l)
	if err != nil {
		return err
	}
	p := v.frame("Invite links", "/invite-links")
	p.Notice = "Made a new " + string(l.Role) + " invite link. Copy it now: it is shown only once. Any earlier link no longer works."
	return o.render(w, r, http.StatusOK, p, "links.html", view)
}

// disableLink turns the role's link off, once confirmed.
func (o *Options) disableLink(w http.ResponseWriter, r *http.Request, v *visit) error {
	role := provisioning.Role(r.PathValue("role"))
	if !confirmed(r) {
		if _, err := o.Invites.Link(r.Context(), v.actor, v.org.ID, role); err != nil {
			return o.linkDone(w, r, v, "", err)
		}
		return o.render(w, r, http.StatusOK, v.frame("Turn off the "+string(role)+" invite link?", "/invite-links"), "confirm.html", confirmView{base: v.base(),
			Action: v.path("/invite-links/" + string(role) + "/disable"), Button: "Turn off", Back: v.path("/invite-links"),
			Question: "Turning off the " + string(role) + " invite link of " + v.org.Name + ":",
			Keeps:    []string{"stops the link at once: people who have it can no longer join;", "keeps everyone who already joined with it;", "can be undone by making a new link."}})
	}
	err := o.Invites.DisableLink(r.Context(), v.actor, v.org.ID, role)
	return o.linkDone(w, r, v, "Turned off the "+string(role)+" invite link: it no longer lets anyone join.", err)
}

// linkDone answers an invite-link form: back to the links with the notice, or the refusal.
func (o *Options) linkDone(w http.ResponseWriter, r *http.Request, v *visit, notice string, err error) error {
	switch {
	case err != nil && httperr.StatusOf(err) >= 500:
		return err
	case err != nil:
		redirectWithAlert(w, r, v.path("/invite-links"), refusal(err), o.SecureCookies)
	default:
		redirectWithNotice(w, r, v.path("/invite-links"), notice, o.SecureCookies)
	}
	return nil
}
