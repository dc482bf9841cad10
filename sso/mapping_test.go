package sso

import (
	"context"
	"slices"
	"testing"

	"github.com/crewjam/saml"

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
	s := &Service{}
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
			got, err := s.samlIdentity(context.Background(), c, tc.as)
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
	got, err := s.samlIdentity(context.Background(), custom, assertion("n", samlAttr("email", "wrong@acme.com"),
		samlAttr("mailAddress", "right@acme.com"), samlAttr("roles", "a")))
	if err != nil || got.Email != "right@acme.com" || !slices.Equal(got.Groups, []string{"a"}) {
		t.Fatalf("custom mapping: %+v %v", got, err)
	}
	if _, err := s.samlIdentity(context.Background(), c, assertion("opaque-id")); provisioning.ErrorCode(err) != provisioning.CodeInvalid {
		t.Fatalf("no email anywhere: %v", err)
	}
}

// TestOIDCEmailVerified: email_verified counts only for the standard email claim.
func TestOIDCEmailVerified(t *testing.T) {
	s := &Service{}
	c := connection{SSOConnection: provisioning.SSOConnection{ID: "c2", Protocol: ProtocolOIDC}, cfg: Config{}}
	claims := map[string]any{"email": "ann@acme.com", "email_verified": true, "upn": "ann@corp.acme.com", "groups": []any{"g1", 7}}
	got, err := s.oidcIdentity(context.Background(), c, claims, "sub-1")
	if err != nil || !got.EmailVerified || got.Issuer != "oidc:c2" || !slices.Equal(got.Groups, []string{"g1"}) {
		t.Fatalf("standard claims: %+v %v", got, err)
	}
	c.cfg.Mapping.Email = "upn"
	if got, err = s.oidcIdentity(context.Background(), c, claims, "sub-1"); err != nil || got.Email != "ann@corp.acme.com" || got.EmailVerified {
		t.Fatalf("a mapped email claim is not covered by email_verified: %+v %v", got, err)
	}
	c.cfg.TrustEmails = true
	if got, _ = s.oidcIdentity(context.Background(), c, claims, "sub-1"); !got.EmailVerified {
		t.Fatal("trustEmails should vouch")
	}
}

func TestRoleFor(t *testing.T) {
	org := provisioning.Org{Settings: provisioning.Settings{DefaultRole: provisioning.RoleMember}}
	rules := Config{GroupRoles: []GroupRole{{"admins", provisioning.RoleAdmin}, {"staff", provisioning.RoleMember}, {"guests", provisioning.RoleViewer}}}
	withDefault := rules
	withDefault.DefaultRole = provisioning.RoleViewer
	cases := []struct {
		cfg      Config
		groups   []string
		existing bool
		want     provisioning.Role
	}{
		{rules, []string{"Guests", "ADMINS"}, false, provisioning.RoleAdmin},
		{rules, []string{"guests"}, true, provisioning.RoleViewer},
		{rules, nil, true, provisioning.RoleMember},
		{withDefault, []string{"other"}, true, provisioning.RoleViewer},
		{Config{}, []string{"admins"}, false, provisioning.RoleMember},
		{Config{}, nil, true, ""},
		{Config{DefaultRole: provisioning.RoleViewer}, nil, false, provisioning.RoleViewer},
	}
	for i, tc := range cases {
		if got := tc.cfg.roleFor(tc.groups, org, tc.existing); got != tc.want {
			t.Errorf("case %d: got %q, want %q", i, got, tc.want)
		}
	}
}
