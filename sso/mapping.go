package sso

import (
	"slices"
	"strconv"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// Default attribute (SAML) names, tried in order, covering Okta, Entra ID, Google Workspace and
// the standard LDAP/eduPerson OIDs many IdPs send. Names compare case-insensitively against
// both an attribute's Name and its FriendlyName.
var (
	samlEmailNames = []string{"email", "emailaddress", "mail", "user.email",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "urn:oid:0.9.2342.19200300.100.1.3"}
	samlFirstNames = []string{"firstName", "givenName", "given_name", "first_name", "user.firstName",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42"}
	samlLastNames = []string{"lastName", "surname", "sn", "family_name", "last_name", "user.lastName",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4"}
	samlGroupNames = []string{"groups", "group", "memberOf",
		"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
		"http://schemas.xmlsoap.org/claims/Group", "eduPersonAffiliation", "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"}
)

// Default OIDC claims (Okta, Entra ID and Google all use the standard names; Entra and Okta
// send groups as "groups" when configured to).
var (
	oidcEmailNames  = []string{"email"}
	oidcFirstNames  = []string{"given_name"}
	oidcLastNames   = []string{"family_name"}
	oidcGroupsNames = []string{"groups"}
)

// attributes is what the IdP said about a person: lower-cased name → values.
type attributes map[string][]string

func (a attributes) add(name string, values ...string) {
	if name == "" {
		return
	}
	key := strings.ToLower(name)
	a[key] = append(a[key], values...)
	if a[key] == nil {
		a[key] = []string{} // sent without values: present, and empty
	}
}

// lookup returns the values of the configured name, or of the first default name present.
func (a attributes) lookup(configured string, defaults []string) ([]string, bool) {
	names := defaults
	if configured != "" {
		names = []string{configured}
	}
	for _, n := range names {
		if v, ok := a[strings.ToLower(n)]; ok {
			return v, true
		}
	}
	return nil, false
}

func (a attributes) first(configured string, defaults []string) string {
	v, _ := a.lookup(configured, defaults)
	for _, s := range v {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// groups returns the person's groups, or nil when the IdP sent no groups attribute at all (so
// the stored groups stay as they are).
func (a attributes) groups(configured string, defaults []string) []string {
	v, ok := a.lookup(configured, defaults)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(v))
	for _, g := range v {
		if g = strings.TrimSpace(g); g != "" && len(g) <= maxAttribute && len(out) < 1000 {
			out = append(out, g)
		}
	}
	return out
}

// names picks the attribute names for a protocol.
type names struct{ email, first, last, groups []string }

var (
	samlNames = names{samlEmailNames, samlFirstNames, samlLastNames, samlGroupNames}
	oidcNames = names{oidcEmailNames, oidcFirstNames, oidcLastNames, oidcGroupsNames}
)

// person maps attributes to the pipeline's identity fields. When the IdP left the groups out
// because there were too many (overage), groups are absent (nil), as when none were sent.
func (m Mapping) person(a attributes, n names, overage bool) provisioning.Identity {
	id := provisioning.Identity{
		Email:     a.first(m.Email, n.email),
		FirstName: truncate(a.first(m.FirstName, n.first)),
		LastName:  truncate(a.first(m.LastName, n.last)),
	}
	if !overage {
		id.Groups = a.groups(m.Groups, n.groups)
	}
	return id
}

// samlGroupsOverage is the attribute Entra ID sends instead of the groups when a person is in
// more groups than a token holds (150 in SAML): a link to read them from Microsoft Graph.
const samlGroupsOverage = "http://schemas.microsoft.com/claims/groups.link"

func (a attributes) has(name string) bool {
	_, ok := a[strings.ToLower(name)]
	return ok
}

// oidcGroupsOverage reports Entra ID's overage claim: "groups" named in _claim_names (a
// distributed claim) instead of sent, when a person is in more groups than a token holds.
func oidcGroupsOverage(claims map[string]any) bool {
	names, ok := claims["_claim_names"].(map[string]any)
	if !ok {
		return false
	}
	_, ok = names["groups"]
	return ok
}

func truncate(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:200])
	}
	return s
}

// mappedRole is the highest role of the group rules matching groups, if any matches.
func (cfg Config) mappedRole(groups []string) (provisioning.Role, bool) {
	var best provisioning.Role
	for _, rule := range cfg.GroupRoles {
		for _, g := range groups {
			if strings.EqualFold(g, rule.Group) && rule.Role.Rank() > best.Rank() {
				best = rule.Role
			}
		}
	}
	return best, best != ""
}

// roleFor is the role to ask the pipeline for, and the rule that gave it, for the audit log.
// With group rules, a sign-in that carries groups sets the role: the highest matching rule,
// else the connection's default role, else the org's (leaving a group demotes). A sign-in that
// carries no groups at all (not sent, or Entra's overage) keeps the member's role, as a sign-in
// without rules does: the pipeline then gives only a newcomer the connection's default role.
func (cfg Config) roleFor(groups []string, org provisioning.Org) (provisioning.Role, string) {
	if len(cfg.GroupRoles) == 0 {
		return "", "no group rules"
	}
	if groups == nil {
		return "", "the identity provider sent no groups, so the role is kept"
	}
	if r, ok := cfg.mappedRole(groups); ok {
		return r, "group rule " + cfg.matchedRule(groups, r) + " gives " + string(r)
	}
	if cfg.DefaultRole != "" {
		return cfg.DefaultRole, "no group rule matched: the connection's default role " + string(cfg.DefaultRole)
	}
	return org.Settings.DefaultRole, "no group rule matched: the org's default role " + string(org.Settings.DefaultRole)
}

// matchedRule names the first rule for groups that gives role.
func (cfg Config) matchedRule(groups []string, role provisioning.Role) string {
	for _, rule := range cfg.GroupRoles {
		if rule.Role == role && slices.ContainsFunc(groups, func(g string) bool { return strings.EqualFold(g, rule.Group) }) {
			return strconv.Quote(rule.Group)
		}
	}
	return ""
}

// MappingDefaults are the attribute (SAML) or claim (OIDC) names read, in the order tried, for
// each field a connection's mapping leaves empty.
type MappingDefaults struct{ Email, FirstName, LastName, Groups []string }

// DefaultNames returns the names read for a protocol's empty mapping fields.
func DefaultNames(protocol string) MappingDefaults {
	n := oidcNames
	if protocol == ProtocolSAML {
		n = samlNames
	}
	return MappingDefaults{Email: slices.Clone(n.email), FirstName: slices.Clone(n.first),
		LastName: slices.Clone(n.last), Groups: slices.Clone(n.groups)}
}
