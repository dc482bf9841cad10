package provisioning

import (
	"regexp"
	"strings"
	"time"

	"github.com/rollcall/rollcall/seats"
)

// Org is a tenant: a slug, a name, a plan, a seat limit and settings.
type Org struct {
	ID        string      `json:"id"`
	Slug      string      `json:"slug"`
	Name      string      `json:"name"`
	Plan      seats.Plan  `json:"plan"`
	SeatLimit seats.Limit `json:"seatLimit"`
	Settings  Settings    `json:"settings"`
	Contact   Contact     `json:"contact"`
	CreatedAt time.Time   `json:"createdAt"`
	UpdatedAt time.Time   `json:"updatedAt"`
}

// OrgView is an org as its caller may see it: the settings only for owners, admins and the
// operator (the rule of the settings endpoint), so members see the org and its contact.
type OrgView struct {
	ID        string      `json:"id"`
	Slug      string      `json:"slug"`
	Name      string      `json:"name"`
	Plan      seats.Plan  `json:"plan"`
	SeatLimit seats.Limit `json:"seatLimit"`
	Settings  *Settings   `json:"settings,omitempty"`
	Contact   Contact     `json:"contact"`
	CreatedAt time.Time   `json:"createdAt"`
	UpdatedAt time.Time   `json:"updatedAt"`
}

// ViewOf is o as seen by a caller who may, or may not, see its settings.
func ViewOf(o Org, withSettings bool) OrgView {
	v := OrgView{ID: o.ID, Slug: o.Slug, Name: o.Name, Plan: o.Plan, SeatLimit: o.SeatLimit,
		Contact: o.Contact, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	if withSettings {
		settings := o.Settings
		v.Settings = &settings
	}
	return v
}

// Settings are the org's provisioning rules, changed by owners and admins.
type Settings struct {
	// DefaultRole is the role of automatic joins without a mapped role.
	DefaultRole Role `json:"defaultRole"`
	// AutoAssignSeats gives automatic joins a seat while seats are free; off, they join as viewers.
	AutoAssignSeats bool `json:"autoAssignSeats"`
	// ReserveSeatsForInvites makes pending invitations for seat roles hold a seat.
	ReserveSeatsForInvites bool `json:"reserveSeatsForInvites"`
	// InviteExpiryHours is how long invitations live; 0 means they never expire.
	InviteExpiryHours int `json:"inviteExpiryHours"`
	// TokenRateLimitPerMinute is the default rate limit of member API tokens.
	TokenRateLimitPerMinute int `json:"tokenRateLimitPerMinute"`
}

// DefaultSettings are the settings of a new org.
func DefaultSettings() Settings {
	return Settings{
		DefaultRole:             RoleMember,
		AutoAssignSeats:         true,
		ReserveSeatsForInvites:  true,
		InviteExpiryHours:       7 * 24,
		TokenRateLimitPerMinute: 120,
	}
}

// Validate checks the settings and names the first wrong field.
func (s Settings) Validate() error {
	switch {
	case s.DefaultRole != RoleMember && s.DefaultRole != RoleViewer:
		return Invalidf("defaultRole", "defaultRole must be member or viewer")
	case s.InviteExpiryHours < 0 || s.InviteExpiryHours > 24*365:
		return Invalidf("inviteExpiryHours", "inviteExpiryHours must be between 0 (never) and 8760")
	case s.TokenRateLimitPerMinute < 1 || s.TokenRateLimitPerMinute > 100000:
		return Invalidf("tokenRateLimitPerMinute", "tokenRateLimitPerMinute must be between 1 and 100000")
	}
	return nil
}

// SettingsChange is a partial update of Settings: only the fields it carries change, so saving
// one field never changes another.
type SettingsChange struct {
	DefaultRole             *Role `json:"defaultRole,omitempty"`
	AutoAssignSeats         *bool `json:"autoAssignSeats,omitempty"`
	ReserveSeatsForInvites  *bool `json:"reserveSeatsForInvites,omitempty"`
	InviteExpiryHours       *int  `json:"inviteExpiryHours,omitempty"`
	TokenRateLimitPerMinute *int  `json:"tokenRateLimitPerMinute,omitempty"`
}

// AsChange is a change carrying every field of s, for a caller that replaces all settings.
func (s Settings) AsChange() SettingsChange {
	return SettingsChange{DefaultRole: &s.DefaultRole, AutoAssignSeats: &s.AutoAssignSeats,
		ReserveSeatsForInvites: &s.ReserveSeatsForInvites, InviteExpiryHours: &s.InviteExpiryHours,
		TokenRateLimitPerMinute: &s.TokenRateLimitPerMinute}
}

// Empty reports whether the change carries no field.
func (c SettingsChange) Empty() bool {
	return c.DefaultRole == nil && c.AutoAssignSeats == nil && c.ReserveSeatsForInvites == nil &&
		c.InviteExpiryHours == nil && c.TokenRateLimitPerMinute == nil
}

// Apply returns s with the fields the change carries replaced.
func (c SettingsChange) Apply(s Settings) Settings {
	if c.DefaultRole != nil {
		s.DefaultRole = *c.DefaultRole
	}
	if c.AutoAssignSeats != nil {
		s.AutoAssignSeats = *c.AutoAssignSeats
	}
	if c.ReserveSeatsForInvites != nil {
		s.ReserveSeatsForInvites = *c.ReserveSeatsForInvites
	}
	if c.InviteExpiryHours != nil {
		s.InviteExpiryHours = *c.InviteExpiryHours
	}
	if c.TokenRateLimitPerMinute != nil {
		s.TokenRateLimitPerMinute = *c.TokenRateLimitPerMinute
	}
	return s
}

// Contact is the org's contact person, visible to every member.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	Notes string `json:"notes"`
}

// Validate checks lengths and the email shape.
func (c Contact) Validate() error {
	for field, v := range map[string]string{"name": c.Name, "email": c.Email, "phone": c.Phone} {
		if len(v) > 200 {
			return Invalidf(field, "%s is longer than 200 characters", field)
		}
	}
	if len(c.Notes) > 4000 {
		return Invalidf("notes", "notes is longer than 4000 characters")
	}
	if c.Email != "" {
		if _, err := NormalizeEmail(c.Email); err != nil {
			return Invalidf("email", "contact email is not a valid email address")
		}
	}
	return nil
}

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// NormalizeSlug lower-cases and checks an org slug: 1–63 letters, digits and inner dashes.
func NormalizeSlug(s string) (string, error) {
	slug := strings.ToLower(strings.TrimSpace(s))
	if !slugPattern.MatchString(slug) {
		return "", Invalidf("slug", "slug %q must be 1-63 lower-case letters, digits or dashes, not starting or ending with a dash", s)
	}
	return slug, nil
}
