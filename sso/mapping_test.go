package sso

import (
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/crewjam/saml"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

func assertion(nameID string, attrs ...saml.Attribute) *saml.Assertion {
	return &saml.Assertion{Subject: &saml.Subject{NameID: &saml.NameID{Value: nameID}},
		AttributeStatements: []saml.AttributeStatement{{Attributes: attrs}}}
}

func samlAttr(name string, values ...string) saml.Attribute {
	a := saml.Attribute{Name: name}
	for _, v := range values {
		a.Values = append(a.Values, saml.AttributeValue{Value: v})
	}
	return a
}

// TestSAMLAttributeDefaults reads what Okta, Entra ID and Google Workspace send by default.
func TestSAMLAttributeDefaults(t *testing.T) {
	c := connection{SSOConnection: provisioning.SSOConnection{ID: "c1", Protocol: ProtocolSAML}, cfg: Config{}}
	cases := []struct {
		name string
		as   *saml.Assertion
		want provisioning.Identity
	}{
		{"okta", assertion("00u1", samlAttr("email", "Ann@Acme.com"), samlAttr("firstName", "Ann"), samlAttr("lastName", "Lee"), samlAttr("groups", "Eng", "Ops")),
			provisioning.Identity{Email: "ann@acme.com", FirstName: "Ann", LastName: "Lee", Groups: []string{"Eng", "Ops"}, Subject: "00u1"}},
		{"entra", assertion("x-y-z",
			samlAttr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "ann@acme.com"),
			samlAttr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "Ann"),
			samlAttr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "Lee"),
			samlAttr("http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", "6f1c-guid")),
			provisioning.Identity{Email: "ann@acme.com", FirstName: "Ann", LastName: "Lee", Groups: []string{"6f1c-guid"}, Subject: "x-y-z"}},
		{"google: email from the NameID, no groups", assertion("ann@acme.com", samlAttr("firstName", "Ann")),
			provisioning.Identity{Email: "ann@acme.com", FirstName: "Ann", Subject: "ann@acme.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := samlIdentity(c, tc.as)
			tc.want.Issuer = "saml:c1"
			if err != nil || got.Email != tc.want.Email || got.FirstName != tc.want.FirstName || got.LastName != tc.want.LastName ||
				!slices.Equal(got.Groups, tc.want.Groups) || (got.Groups == nil) != (tc.want.Groups == nil) ||
				got.Subject != tc.want.Subject || got.Issuer != tc.want.Issuer || got.EmailVerified {
				t.Fatalf("got %+v %v, want %+v", got, err, tc.want)
			}
		})
	}
	custom := c
	custom.cfg.Mapping = Mapping{Email: "mailAddress", Groups: "roles"}
	got, err := samlIdentity(custom, assertion("n", samlAttr("email", "wrong@acme.com"),
		samlAttr("mailAddress", "right@acme.com"), samlAttr("roles", "a")))
	if err != nil || got.Email != "right@acme.com" || !slices.Equal(got.Groups, []string{"a"}) {
		t.Fatalf("custom mapping: %+v %v", got, err)
	}
	if _, err := samlIdentity(c, assertion("opaque-id")); provisioning.ErrorCode(err) != provisioning.CodeInvalid {
		t.Fatalf("no email anywhere: %v", err)
	}
}

// TestSAMLTransientNameID: a transient NameID is no subject; the person is matched by email.
func TestSAMLTransientNameID(t *testing.T) {
	c := connection{SSOConnection: provisioning.SSOConnection{ID: "c1", Protocol: ProtocolSAML}}
	as := assertion("_8f2a0c", samlAttr("email", "ann@acme.com"))
	as.Subject.NameID.Format = transientNameID
	got, err := samlIdentity(c, as)
	if err != nil || got.Subject != "" || !got.Transient || got.Issuer != "saml:c1" || got.Email != "ann@acme.com" {
		t.Fatalf("transient: %+v %v", got, err)
	}
	as.Subject.NameID.Format = string(saml.PersistentNameIDFormat)
	if got, _ := samlIdentity(c, as); got.Subject != "_8f2a0c" || got.Transient {
		t.Fatalf("persistent: %+v", got)
	}
}

// TestGroupsOverage: Entra ID leaves the groups out when there are too many; that is no groups
// sent (nil, role kept), not an empty list (which demotes).
func TestGroupsOverage(t *testing.T) {
	saml := connection{SSOConnection: provisioning.SSOConnection{ID: "c1", Protocol: ProtocolSAML}}
	got, err := samlIdentity(saml, assertion("n", samlAttr("email", "ann@acme.com"),
		samlAttr("http://schemas.microsoft.com/claims/groups.link", "https://graph.microsoft.com/v1.0/users/x/getMemberObjects")))
	if err != nil || got.Groups != nil {
		t.Fatalf("SAML overage: %+v %v", got, err)
	}
	if got, _ := samlIdentity(saml, assertion("n", samlAttr("email", "ann@acme.com"), samlAttr("groups"))); got.Groups == nil || len(got.Groups) != 0 {
		t.Fatalf("an empty groups attribute is an empty list: %#v", got.Groups)
	}
	oidc := connection{SSOConnection: provisioning.SSOConnection{ID: "c2", Protocol: ProtocolOIDC}}
	claims := map[string]any{"email": "ann@acme.com", "_claim_names": map[string]any{"groups": "src1"},
		"_claim_sources": map[string]any{"src1": map[string]any{"endpoint": "https://graph.microsoft.com/v1.0/users/x/getMemberObjects"}}}
	if got, err := oidcIdentity(oidc, claims, "sub-1"); err != nil || got.Groups != nil {
		t.Fatalf("OIDC overage: %+v %v", got, err)
	}
}

// TestOIDCClaims: the standard claims, a mapped email claim, and no proof from email_verified
// (the core trusts an IdP for its org's verified domains only).
func TestOIDCClaims(t *testing.T) {
	c := connection{SSOConnection: provisioning.SSOConnection{ID: "c2", Protocol: ProtocolOIDC}, cfg: Config{}}
	claims := map[string]any{"email": "Ann@acme.com", "email_verified": true, "upn": "ann@corp.acme.com", "groups": []any{"g1", 7}}
	got, err := oidcIdentity(c, claims, "sub-1")
	if err != nil || got.EmailVerified || got.Email != "ann@acme.com" || got.Issuer != "oidc:c2" || got.Subject != "sub-1" || !slices.Equal(got.Groups, []string{"g1"}) {
		t.Fatalf("standard claims: %+v %v", got, err)
	}
	c.cfg.Mapping.Email = "upn"
	if got, err = oidcIdentity(c, claims, "sub-1"); err != nil || got.Email != "ann@corp.acme.com" {
		t.Fatalf("mapped email claim: %+v %v", got, err)
	}
}

func TestRoleFor(t *testing.T) {
	org := provisioning.Org{Settings: provisioning.Settings{DefaultRole: provisioning.RoleMember}}
	rules := Config{GroupRoles: []GroupRole{{"admins", provisioning.RoleAdmin}, {"staff", provisioning.RoleMember}, {"guests", provisioning.RoleViewer}}}
	withDefault := rules
	withDefault.DefaultRole = provisioning.RoleViewer
	cases := []struct {
		cfg    Config
		groups []string
		want   provisioning.Role
		why    string
	}{
		{rules, []string{"Guests", "ADMINS"}, provisioning.RoleAdmin, `group rule "admins" gives admin`},
		{rules, []string{"guests"}, provisioning.RoleViewer, `group rule "guests" gives viewer`},
		{rules, []string{}, provisioning.RoleMember, "no group rule matched: the org's default role member"},
		{rules, nil, "", "the identity provider sent no groups, so the role is kept"},
		{withDefault, []string{"other"}, provisioning.RoleViewer, "no group rule matched: the connection's default role viewer"},
		{Config{}, []string{"admins"}, "", "no group rules"},
		{Config{DefaultRole: provisioning.RoleViewer}, nil, "", "no group rules"},
	}
	for i, tc := range cases {
		if got, why := tc.cfg.roleFor(tc.groups, org); got != tc.want || why != tc.why {
			t.Errorf("case %d: got %q (%s), want %q (%s)", i, got, why, tc.want, tc.why)
		}
	}
}

// TestErrorStatuses: SSO error pages answer every core code, refused checks included, with the
// agreed status.
func TestErrorStatuses(t *testing.T) {
	s := &Service{logger: slog.New(slog.DiscardHandler)}
	for _, c := range provisioning.Codes() {
		w := httptest.NewRecorder()
		s.page(w, provisioning.ErrorCode(refuse(c, nil, "x")), "Sign-in failed", "x", "", "ref")
		if w.Code != httperr.Status(c) {
			t.Errorf("%s: %d, want %d", c, w.Code, httperr.Status(c))
		}
	}
}
