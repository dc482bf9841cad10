package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// tokensView is what tokens.html shows: the person's own tokens and the form to make one, a
// new token's secret once, and for admins the members' tokens the role table lets them see.
type tokensView struct {
	base
	// Viewer is set for a viewer, who holds no seat and so no tokens.
	Viewer bool
	Mine   tokenTable
	Others tokenTable
	New    *newToken
	Name   string
	Limits [3]string
	// RateDefault is the org's default rate limit for tokens that set none; 0 when the person
	// may not see the org's settings.
	RateDefault int
}

// tokenTable is a list of tokens with what its revoke forms need; Owners adds the member column.
type tokenTable struct {
	Rows       []tokenRow
	Owners     bool
	Path, CSRF string
}

type tokenRow struct {
	ID, Name, Hint, Owner, Created, LastUsed, Limits string
	Calls                                            int64
	Revoked                                          bool
}

type newToken struct{ Name, Secret string }

// tokens shows the API tokens page.
func (o *Options) tokens(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := o.tokensView(r.Context(), v)
	if err != nil {
		return err
	}
	return o.render(w, r, http.StatusOK, v.frame("API tokens", "/tokens"), "tokens.html", view)
}

func (o *Options) tokensView(ctx context.Context, v *visit) (tokensView, error) {
	view := tokensView{base: v.base(), RateDefault: settingsOf(v.org).TokenRateLimitPerMinute,
		Mine: tokenTable{Path: v.path(""), CSRF: v.csrf}, Others: tokenTable{Owners: true, Path: v.path(""), CSRF: v.csrf}}
	if v.role() == provisioning.RoleViewer {
		view.Viewer = true
		return view, nil
	}
	mine, err := o.Service.ListTokens(ctx, v.actor, v.org.ID, false)
	if err != nil {
		return view, err
	}
	for _, t := range mine {
		view.Mine.Rows = append(view.Mine.Rows, tokenRowOf(t, v.user.Email, view.RateDefault))
	}
	if !v.role().IsAdmin() {
		return view, nil
	}
	all, err := o.Service.ListTokens(ctx, v.actor, v.org.ID, true)
	if err != nil {
		return view, err
	}
	owners := map[string]string{}
	for _, t := range all {
		if t.MembershipID == v.member.ID {
			continue
		}
		if _, ok := owners[t.MembershipID]; !ok {
			m, err := o.Service.GetMember(ctx, v.actor, v.org.ID, t.MembershipID)
			if err != nil {
				return view, err
			}
			owners[t.MembershipID] = m.Email
		}
		view.Others.Rows = append(view.Others.Rows, tokenRowOf(t, owners[t.MembershipID], view.RateDefault))
	}
	return view, nil
}

func tokenRowOf(t provisioning.APIToken, owner string, rateDefault int) tokenRow {
	return tokenRow{ID: t.ID, Name: t.Name, Hint: provisioning.TokenPrefix + t.Hint, Owner: owner, Created: date(t.CreatedAt),
		LastUsed: datePtr(t.LastUsedAt, "never"), Calls: t.TotalCalls, Revoked: !t.Active(), Limits: limitsText(t.Limits, rateDefault)}
}

// limitsText words a token's limits: "120/min (org default), 1000 a day".
func limitsText(l provisioning.TokenLimits, rateDefault int) string {
	parts := []string{"the org's default rate"}
	if rateDefault > 0 {
		parts[0] = fmt.Sprintf("%d/min (org default)", rateDefault)
	}
	if l.RateLimitPerMinute != nil {
		parts[0] = fmt.Sprintf("%d/min", *l.RateLimitPerMinute)
	}
	if l.DailyLimit != nil {
		parts = append(parts, fmt.Sprintf("%d a day", *l.DailyLimit))
	}
	if l.UsageLimit != nil {
		parts = append(parts, fmt.Sprintf("%d in all", *l.UsageLimit))
	}
	return strings.Join(parts, ", ")
}

// createToken makes a personal token and shows its secret this once.
func (o *Options) createToken(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := r.PostForm
	limits, lerr := parseLimits(f.Get("rate"), f.Get("daily"), f.Get("usage"))
	var tok provisioning.NewToken
	err := lerr
	if err == nil {
		tok, err = o.Service.CreateToken(r.Context(), v.actor, v.org.ID, f.Get("name"), limits)
	}
	if err != nil && httperr.StatusOf(err) >= 500 {
		return err
	}
	view, verr := o.tokensView(r.Context(), v)
	if verr != nil {
		return verr
	}
	p := v.frame("API tokens", "/tokens")
	if err != nil {
		p.Alert = refusal(err)
		view.Name, view.Limits = f.Get("name"), [3]string{f.Get("rate"), f.Get("daily"), f.Get("usage")}
		return o.render(w, r, httperr.StatusOf(err), p, "tokens.html", view)
	}
	view.New = &newToken{Name: tok.Name, Secret: tok.Secret}
	p.Notice = "Created the token " + tok.Name + ". Copy it now: it is shown only once."
	return o.render(w, r, http.StatusCreated, p, "tokens.html", view)
}

// parseLimits reads the optional limit fields; empty means the default (rate) or none.
func parseLimits(rate, daily, usage string) (provisioning.TokenLimits, error) {
	var l provisioning.TokenLimits
	for _, f := range []struct {
		name, value string
		set         func(int64)
	}{
		{"rate limit per minute", rate, func(n int64) { i := int(n); l.RateLimitPerMinute = &i }},
		{"daily limit", daily, func(n int64) { l.DailyLimit = &n }},
		{"total limit", usage, func(n int64) { l.UsageLimit = &n }},
	} {
		s := strings.TrimSpace(f.value)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return l, provisioning.Invalidf(f.name, "the %s must be a whole number of at least 1, or empty", f.name)
		}
		f.set(n)
	}
	return l, l.Validate()
}

// revokeToken revokes a token: the person's own, or a member's as the role table allows.
func (o *Options) revokeToken(w http.ResponseWriter, r *http.Request, v *visit) error {
	err := o.Service.RevokeToken(r.Context(), v.actor, v.org.ID, r.PathValue("token"))
	if err != nil && httperr.StatusOf(err) >= 500 {
		return err
	}
	if err != nil {
		redirectWithAlert(w, r, v.path("/tokens"), refusal(err), o.SecureCookies)
		return nil
	}
	redirectWithNotice(w, r, v.path("/tokens"), "Revoked the token: it stops working at once.", o.SecureCookies)
	return nil
}
