package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/scim"
)

// directoryView is what scim.html shows: the base URL and tokens to paste into the IdP (a new
// token's secret once), the group → role rules, what the IdP pushed and its last requests.
type directoryView struct {
	base
	BaseURL  string
	Tokens   []directoryTokenRow
	New      *newToken
	Mappings []mappingRow
	Activity scim.Activity
	Requests []requestRow
	// TokenName, Group and MapRoles are the forms' values after a refusal.
	TokenName string
	Group     string
	MapRoles  []option
}

type directoryTokenRow struct {
	ID, Name, Hint, Creator, Created, LastUsed string
	Revoked                                    bool
}

type mappingRow struct {
	ID, Group string
	Role      provisioning.Role
	// Locked: a rule that makes admins, which only owners delete.
	Locked bool
}

// requestRow is one of the directory's recent requests; Class marks errors and 429s.
type requestRow struct {
	When, Method, Path, Token, Took, Class string
	Status                                 int
	SCIMType                               string
}

// directoryPage shows the SCIM directory's setup and activity (owners, admins).
func (o *Options) directoryPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := o.directoryView(r, v)
	if err != nil {
		return err
	}
	return o.render(w, r, http.StatusOK, v.frame("Directory (SCIM)", "/scim"), "scim.html", view)
}

func (o *Options) directoryView(r *http.Request, v *visit) (directoryView, error) {
	if o.Directory == nil {
		return directoryView{}, unavailable("SCIM directories")
	}
	ctx := r.Context()
	view := directoryView{base: v.base(), BaseURL: o.publicURL(r) + "/scim/v2", MapRoles: mappingRoles(v.role(), provisioning.RoleMember)}
	toks, err := o.Directory.ListTokens(ctx, v.actor, v.org.ID)
	if err != nil {
		return view, err
	}
	names := map[string]string{}
	creators := map[string]string{}
	for _, t := range toks {
		names[t.ID] = t.Name
		row := directoryTokenRow{ID: t.ID, Name: t.Name, Hint: provisioning.DirectoryTokenPrefix + t.Hint,
			Created: date(t.CreatedAt), LastUsed: "never", Revoked: !t.Active(), Creator: o.creator(ctx, v, t.CreatedBy, creators)}
		if t.LastUsedAt != nil {
			row.LastUsed = dateTime(*t.LastUsedAt)
		}
		view.Tokens = append(view.Tokens, row)
	}
	rules, err := o.Directory.ListMappings(ctx, v.actor, v.org.ID)
	if err != nil {
		return view, err
	}
	for _, m := range rules {
		view.Mappings = append(view.Mappings, mappingRow{ID: m.ID, Group: m.Group, Role: m.Role,
			Locked: m.Role == provisioning.RoleAdmin && v.role() != provisioning.RoleOwner})
	}
	if view.Activity, err = o.Directory.Activity(ctx, v.actor, v.org.ID); err != nil {
		return view, err
	}
	for _, q := range view.Activity.Requests {
		view.Requests = append(view.Requests, requestRowOf(q, names))
	}
	return view, nil
}

// creator names the member who created a token (the token acts with their rights), reading
// each member once.
func (o *Options) creator(ctx context.Context, v *visit, membershipID string, seen map[string]string) string {
	if membershipID == "" {
		return "the operator"
	}
	if name, ok := seen[membershipID]; ok {
		return name
	}
	name := "a former member"
	if m, err := o.Service.GetMember(ctx, v.actor, v.org.ID, membershipID); err == nil && m.Status != provisioning.StatusRemoved {
		name = m.Email
	}
	seen[membershipID] = name
	return name
}

func requestRowOf(q provisioning.DirectoryRequest, tokens map[string]string) requestRow {
	row := requestRow{When: dateTime(q.At), Method: q.Method, Path: q.Path, Status: q.Status, SCIMType: q.SCIMType,
		Token: tokens[q.TokenID], Took: fmt.Sprintf("%d ms", q.Duration.Milliseconds())}
	switch {
	case q.Status == http.StatusTooManyRequests:
		row.Class = "limited"
	case q.Status >= 400:
		row.Class = "failed"
	}
	return row
}

// mappingRoles are the roles a group rule may give, current selected: admin only for owners.
func mappingRoles(me, current provisioning.Role) []option {
	choices := [][2]string{{"member", "Member"}, {"viewer", "Viewer"}}
	if me == provisioning.RoleOwner {
		choices = append([][2]string{{"admin", "Admin"}}, choices...)
	}
	return options(choices, string(current))
}

// publicURL is the server's external base URL: the configured one, else this request's host.
func (o *Options) publicURL(r *http.Request) string {
	if o.PublicURL != "" {
		return strings.TrimSuffix(o.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// createDirectoryToken makes a directory token and shows its secret this once.
func (o *Options) createDirectoryToken(w http.ResponseWriter, r *http.Request, v *visit) error {
	if o.Directory == nil {
		return unavailable("SCIM directories")
	}
	name := r.PostForm.Get("name")
	tok, err := o.Directory.CreateToken(r.Context(), v.actor, v.org.ID, name)
	if err != nil && httperr.StatusOf(err) >= 500 {
		return err
	}
	view, verr := o.directoryView(r, v)
	if verr != nil {
		return verr
	}
	p := v.frame("Directory (SCIM)", "/scim")
	if err != nil {
		p.Alert, view.TokenName = refusal(err), name
		return o.render(w, r, httperr.StatusOf(err), p, "scim.html", view)
	}
	view.New = &newToken{Name: tok.Name, Secret: tok.Secret}
	p.Notice = "Created the directory token " + tok.Name + ". Copy it into your IdP now: it is shown only once."
	return o.render(w, r, http.StatusCreated, p, "scim.html", view)
}

// revokeDirectoryToken revokes a directory token: the IdP's next request with it is refused.
func (o *Options) revokeDirectoryToken(w http.ResponseWriter, r *http.Request, v *visit) error {
	if o.Directory == nil {
		return unavailable("SCIM directories")
	}
	err := o.Directory.RevokeToken(r.Context(), v.actor, v.org.ID, r.PathValue("token"))
	return o.directoryDone(w, r, v, "Revoked the token: the next request that uses it is refused.", err)
}

// addMapping adds a group → role rule; a refusal keeps the form's values.
func (o *Options) addMapping(w http.ResponseWriter, r *http.Request, v *visit) error {
	if o.Directory == nil {
		return unavailable("SCIM directories")
	}
	f := r.PostForm
	m, err := o.Directory.CreateMapping(r.Context(), v.actor, v.org.ID, scim.MappingInput{Group: f.Get("group"), Role: provisioning.Role(f.Get("role"))})
	if err == nil {
		return o.directoryDone(w, r, v, fmt.Sprintf("Members of %s become %s the next time the group changes.", m.Group, m.Role), nil)
	}
	if httperr.StatusOf(err) >= 500 {
		return err
	}
	view, verr := o.directoryView(r, v)
	if verr != nil {
		return verr
	}
	view.Group, view.MapRoles = f.Get("group"), mappingRoles(v.role(), provisioning.Role(f.Get("role")))
	p := v.frame("Directory (SCIM)", "/scim")
	p.Alert = refusal(err)
	return o.render(w, r, httperr.StatusOf(err), p, "scim.html", view)
}

// deleteMapping deletes a group → role rule.
func (o *Options) deleteMapping(w http.ResponseWriter, r *http.Request, v *visit) error {
	if o.Directory == nil {
		return unavailable("SCIM directories")
	}
	err := o.Directory.DeleteMapping(r.Context(), v.actor, v.org.ID, r.PathValue("mapping"))
	return o.directoryDone(w, r, v, "Deleted the rule. Members keep their role until their groups change.", err)
}

// directoryDone answers a directory form: back to the page with the notice, or the refusal.
func (o *Options) directoryDone(w http.ResponseWriter, r *http.Request, v *visit, notice string, err error) error {
	switch {
	case err != nil && httperr.StatusOf(err) >= 500:
		return err
	case err != nil:
		redirectWithAlert(w, r, v.path("/scim"), refusal(err), o.SecureCookies)
	default:
		redirectWithNotice(w, r, v.path("/scim"), notice, o.SecureCookies)
	}
	return nil
}
