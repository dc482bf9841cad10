package scim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"

	"github.com/rollcall/rollcall/provisioning"
)

func etag(version int64) string { return fmt.Sprintf(`W/"%d"`, version) }

// userResource is a user as stored, for the library to render.
func userResource(u provisioning.DirectoryUser) scim.Resource {
	d := copyDocument(u.Attributes)
	d.set("userName", u.UserName)
	d.set("active", u.Active)
	created, modified := u.CreatedAt, u.UpdatedAt
	res := scim.Resource{ID: u.ID, Attributes: scim.ResourceAttributes(d),
		Meta: scim.Meta{Created: &created, LastModified: &modified, Version: etag(u.Version)}}
	if u.ExternalID != "" {
		res.ExternalID = optional.NewString(u.ExternalID)
	}
	return res
}

// groupResource is a group for the library to render; members is nil when they were not asked
// for, and a group without members has no members attribute (RFC 7643 2.5: an empty list is
// unassigned).
func groupResource(g provisioning.DirectoryGroup, members []provisioning.DirectoryMember, withMembers bool) scim.Resource {
	d := copyDocument(g.Attributes)
	d.set("displayName", g.DisplayName)
	if withMembers && len(members) > 0 {
		list := make([]any, 0, len(members))
		for _, m := range members {
			list = append(list, map[string]any{"value": m.UserID, "display": m.UserName, "type": "User", "$ref": "Users/" + m.UserID})
		}
		d.set("members", list)
	}
	created, modified := g.CreatedAt, g.UpdatedAt
	res := scim.Resource{ID: g.ID, Attributes: scim.ResourceAttributes(d),
		Meta: scim.Meta{Created: &created, LastModified: &modified, Version: etag(g.Version)}}
	if g.ExternalID != "" {
		res.ExternalID = optional.NewString(g.ExternalID)
	}
	return res
}

// selection is what a request asks to see of each resource (RFC 7644 3.9): the attributes and
// excludedAttributes parameters of a GET, or the same members of a POST /.search body.
type selection struct{ only, excluded []string }

func selectionOf(r *http.Request) selection {
	q := r.URL.Query()
	return selection{only: splitList(q.Get("attributes")), excluded: splitList(q.Get("excludedAttributes"))}
}

// wants reports whether the selection asks for the top-level attribute name.
func (s selection) wants(name string) bool {
	for _, ex := range s.excluded {
		if strings.EqualFold(ex, name) {
			return false
		}
	}
	if len(s.only) == 0 {
		return true
	}
	for _, a := range s.only {
		if strings.EqualFold(a, name) || strings.HasPrefix(strings.ToLower(a), strings.ToLower(name)+".") {
			return true
		}
	}
	return false
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// project drops the top-level attributes the selection excludes or does not ask for; id,
// schemas and meta are always returned (the library adds them).
func (s selection) project(attrs scim.ResourceAttributes) {
	for k := range attrs {
		if !s.wants(k) && !strings.EqualFold(k, "userName") {
			delete(attrs, k)
		}
	}
}

// checkIfMatch refuses a change when If-Match names another version.
func checkIfMatch(r *http.Request, version int64) error {
	want := strings.TrimSpace(r.Header.Get("If-Match"))
	if want == "" || want == "*" {
		return nil
	}
	for _, v := range strings.Split(want, ",") {
		v = strings.TrimSpace(v)
		if v == etag(version) || "W/"+v == etag(version) {
			return nil
		}
	}
	return errors.ScimError{Status: http.StatusPreconditionFailed, Detail: "the resource has changed: its version is " + etag(version)}
}

// notFoundAs turns the store's answer to a lookup by id into SCIM's 404 naming the id: not
// found, or an id the database refuses (a NUL byte or invalid UTF-8, which no id holds; Postgres
// refuses the query where SQLite finds nothing).
func notFoundAs(err error, id string) error {
	if provisioning.IsCode(err, provisioning.CodeNotFound) || provisioning.IsCode(err, provisioning.CodeInvalid) {
		return errors.ScimErrorResourceNotFound(id)
	}
	return err
}
