package scim

import (
	"fmt"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// userFields are the attributes of a User document that Rollcall acts on or filters by.
type userFields struct {
	userName, key, email    string
	externalID, displayName string
	givenName, familyName   string
	emails                  []provisioning.DirectoryEmail
	active                  *bool
}

// readUser checks a User document and extracts its fields. userName is the email; when it is not
// an email address (Entra may send a UPN-like name), the primary (else first) email is used.
func readUser(d document) (userFields, error) {
	f := userFields{userName: strings.TrimSpace(d.str("userName"))}
	if f.userName == "" {
		return f, badValue("userName is required")
	}
	f.key = strings.ToLower(f.userName)
	f.externalID = d.str("externalId")
	f.displayName = d.str("displayName")
	if name := d.sub("name", false); name != nil {
		f.givenName, f.familyName = name.str("givenName"), name.str("familyName")
	}
	if v, ok := d.get("active"); ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			return f, badValue("active must be true or false")
		}
		f.active = &b
	}
	raw, _ := d.get("emails")
	list, _ := raw.([]any)
	for _, el := range list {
		m, ok := el.(map[string]any)
		if !ok {
			return f, badValue("emails must be a list of objects")
		}
		e := document(m)
		primary, _ := e.get("primary")
		isPrimary, _ := primary.(bool)
		if v := strings.TrimSpace(e.str("value")); v != "" {
			f.emails = append(f.emails, provisioning.DirectoryEmail{Type: e.str("type"), Value: v, Primary: isPrimary})
		}
	}
	email, err := provisioning.NormalizeEmail(f.userName)
	if err != nil {
		email = f.fallbackEmail()
	}
	if email == "" {
		return f, badValue(fmt.Sprintf("userName %q is not an email address and emails holds none", f.userName))
	}
	f.email = email
	return f, nil
}

func (f userFields) fallbackEmail() string {
	for _, wantPrimary := range []bool{true, false} {
		for _, e := range f.emails {
			if e.Primary == wantPrimary || !wantPrimary {
				if email, err := provisioning.NormalizeEmail(e.Value); err == nil {
					return email
				}
			}
		}
	}
	return ""
}
