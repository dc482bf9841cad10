package invites

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/session"
	"github.com/rollcall/rollcall/web/page"
)

const sentMessage = "If that address can receive email, a sign-in link is on its way. It works once, for a short time."

func (s *Service) requestSignIn(w http.ResponseWriter, r *http.Request) error {
	in, err := readFields(r, "email", "next")
	if err != nil {
		return err
	}
	if err := s.RequestSignIn(r.Context(), in["email"], in["next"], clientIP(r)); err != nil {
		return err
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusAccepted, map[string]string{"message": sentMessage})
	}
	s.writePage(w, r, http.StatusAccepted, page.Page{Title: "Check your email", Lines: []string{sentMessage}})
	return nil
}

// previewSignIn answers the mailed link: it shows whom the link signs in and a button that
// posts it, so a mail scanner fetching the link cannot use it up.
func (s *Service) previewSignIn(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	email, err := s.PreviewSignIn(r.Context(), q.Get("token"))
	if err != nil {
		return err
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, map[string]string{"email": email,
			"message": "POST token (and next) to /auth/email/verify to sign in"})
	}
	hidden := map[string]string{"token": q.Get("token")}
	if next := q.Get("next"); next != "" {
		hidden["next"] = next
	}
	s.writePage(w, r, http.StatusOK, page.Page{Title: "Sign in to Rollcall", Lines: []string{"Continue as " + email + "?"},
		Forms: []page.Form{{Action: "/auth/email/verify", Button: "Sign in", Hidden: hidden}}})
	return nil
}

// verifySignIn uses a sign-in link (POSTed by the preview page or a client) and opens a session.
func (s *Service) verifySignIn(w http.ResponseWriter, r *http.Request) error {
	if crossSite(r) {
		return provisioning.Errorf(provisioning.CodeForbidden, "sign-in links must be confirmed on this site's own page")
	}
	q, err := readFields(r, "token", "next")
	if err != nil {
		return err
	}
	in, err := s.CompleteSignIn(r.Context(), q["token"], q["next"])
	if err != nil {
		return err
	}
	s.setSession(w, r, in)
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, in)
	}
	http.Redirect(w, r, in.Landing, http.StatusSeeOther)
	return nil
}

func (s *Service) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.SignOut(r.Context(), session.Secret(r)); err != nil {
		return err
	}
	s.clearSession(w, r)
	if wantsJSON(r) {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Service) mine(w http.ResponseWriter, r *http.Request, u provisioning.User) error {
	list, err := s.Mine(r.Context(), u)
	if err != nil {
		return err
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, map[string]any{"invitations": list})
	}
	p := page.Page{Title: "Your invitations", Person: person(&u)}
	if len(list) == 0 {
		p.Lines = append(p.Lines, "You have no pending invitations.")
	}
	for _, v := range list {
		p.Links = append(p.Links, page.Link{Href: "/invitations/" + v.ID, Text: fmt.Sprintf("%s: join as %s (from %s)", v.OrgName, v.Role, v.Inviter)})
	}
	s.writePage(w, r, http.StatusOK, p)
	return nil
}

func (s *Service) showInvitation(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "ref")
	u := s.optionalUser(r)
	v, err := s.Show(r.Context(), u, ref)
	if err != nil {
		return err
	}
	if wantsJSON(r) {
		out := map[string]any{"invitation": v}
		if u != nil {
			out["signedInAs"] = u.Email
		}
		return writeJSON(w, http.StatusOK, out)
	}
	p := page.Page{Title: "Join " + v.OrgName, Person: person(u), Lines: []string{fmt.Sprintf("%s invited %s to join %s as %s.", v.Inviter, v.Email, v.OrgName, v.Role)}}
	switch {
	case v.State != provisioning.InvitationPending:
		p.Lines = append(p.Lines, "This invitation is "+string(v.State)+".")
	case u == nil || u.Email != v.Email:
		if u != nil {
			p.Lines = append(p.Lines, "You are signed in as "+u.Email+". Sign in as "+v.Email+" to answer.")
		}
		p.Lines = append(p.Lines, "We will email "+v.Email+" a sign-in link; it brings you back here.")
		p.Forms = []page.Form{signInForm(v.Email, "")}
	default:
		p.Forms = []page.Form{{Action: "/invitations/" + ref + "/accept", Button: "Accept and join"},
			{Action: "/invitations/" + ref + "/decline", Button: "Decline"}}
	}
	s.writePage(w, r, http.StatusOK, p)
	return nil
}

func (s *Service) accept(w http.ResponseWriter, r *http.Request, u provisioning.User) error {
	a, err := s.Accept(r.Context(), u, chi.URLParam(r, "ref"))
	if err != nil {
		return err
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, a)
	}
	lines := []string{fmt.Sprintf("You are now a member of %s as %s.", a.OrgName, a.Membership.Role)}
	if a.SeatWithheld != "" {
		lines = append(lines, "No paid seat was free, so you joined as viewer ("+a.SeatWithheld+"); an admin can give you a seat.")
	}
	s.writePage(w, r, http.StatusOK, page.Page{Title: "Welcome", Person: person(&u), Lines: lines, Links: []page.Link{{Href: "/", Text: "Continue"}}})
	return nil
}

func (s *Service) decline(w http.ResponseWriter, r *http.Request, u provisioning.User) error {
	inv, err := s.Decline(r.Context(), u, chi.URLParam(r, "ref"))
	if err != nil {
		return err
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, map[string]any{"invitation": inv})
	}
	s.writePage(w, r, http.StatusOK, page.Page{Title: "Invitation declined", Person: person(&u), Lines: []string{"You declined the invitation. Nothing else changed."}})
	return nil
}

func (s *Service) showJoin(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	org, role, err := s.LinkOrg(r.Context(), token)
	if err != nil {
		return err
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, map[string]any{"org": map[string]string{"name": org.Name, "slug": org.Slug}, "role": role})
	}
	u := s.optionalUser(r)
	p := page.Page{Title: "Join " + org.Name, Person: person(u), Lines: []string{fmt.Sprintf("This link lets you join %s as %s.", org.Name, role)}}
	if u != nil && u.EmailVerified {
		p.Lines = append(p.Lines, "You will join as "+u.Email+".")
		p.Forms = []page.Form{{Action: "/join/" + token, Button: "Join " + org.Name}}
	} else {
		p.Lines = append(p.Lines, "Sign in with your email first; the link brings you back here.")
		p.Forms = []page.Form{signInForm("", "/join/"+token)}
	}
	s.writePage(w, r, http.StatusOK, p)
	return nil
}

func (s *Service) join(w http.ResponseWriter, r *http.Request, u provisioning.User) error {
	res, org, err := s.Join(r.Context(), u, chi.URLParam(r, "token"))
	if err != nil {
		return err
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, map[string]any{"org": map[string]string{"name": org.Name, "slug": org.Slug},
			"membership": res.Membership, "outcome": res.Outcome, "seatWithheld": res.SeatWithheld})
	}
	lines := []string{fmt.Sprintf("You are a member of %s as %s.", org.Name, res.Membership.Role)}
	if res.SeatWithheld != "" {
		lines = append(lines, "You joined as viewer: "+string(res.SeatWithheld)+".")
	}
	s.writePage(w, r, http.StatusOK, page.Page{Title: "Welcome to " + org.Name, Person: person(&u), Lines: lines, Links: []page.Link{{Href: "/", Text: "Continue"}}})
	return nil
}
