package scim

import (
	"context"
	"net/http"
	"strings"

	"github.com/elimity-com/scim"

	"github.com/rollcall/rollcall/provisioning"
)

// groups is the ResourceHandler of /Groups. Members are rows of their own, written in batches;
// any change of a mapped group's members re-decides those members' roles through the pipeline.
type groups struct{ s *Service }

// memberIDs reads the "value" of each member object.
func memberIDs(v any) ([]string, error) {
	if v == nil {
		return []string{}, nil
	}
	list, ok := v.([]any)
	if !ok {
		if m, isMap := v.(map[string]any); isMap {
			list = []any{m}
		} else {
			return nil, badValue("members must be a list of {\"value\": \"<user id>\"}")
		}
	}
	ids := make([]string, 0, len(list))
	for _, el := range list {
		m, ok := el.(map[string]any)
		id, _ := document(m).get("value")
		s, isString := id.(string)
		if !ok || !isString || s == "" {
			return nil, badValue("each member needs a value: the id of a user")
		}
		ids = append(ids, s)
	}
	return ids, nil
}

// Create makes a group and adds the members it carries (Okta and Entra may send them).
func (h groups) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	ctx := r.Context()
	d := requestDocument(r, attrs, groupType)
	rawMembers, _ := d.get("members")
	ids, err := memberIDs(rawMembers)
	if err != nil {
		return scim.Resource{}, err
	}
	d.del("members")
	if err := checkBounds(d, groupStrings, h.s.opts.MaxValues); err != nil {
		return scim.Resource{}, err
	}
	name := strings.TrimSpace(d.str("displayName"))
	if name == "" {
		return scim.Resource{}, badValue("displayName is required")
	}
	now := h.s.core.Now()
	g := provisioning.DirectoryGroup{ID: provisioning.NewID(), DisplayName: name,
		ExternalID: d.str("externalId"), Attributes: d.marshal(), Version: 1, CreatedAt: now, UpdatedAt: now}
	var members []provisioning.DirectoryMember
	err = h.s.admitted(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		g.OrgID = actor.OrgID
		if err := tx.InsertDirectoryGroup(ctx, g); err != nil {
			return err
		}
		if _, err := h.s.changeMembers(ctx, tx, actor, g, "add", ids); err != nil {
			return err
		}
		var err error
		members, err = tx.ListDirectoryGroupMembers(ctx, actor.OrgID, g.ID)
		return err
	})
	if err != nil {
		return scim.Resource{}, h.s.scimError(ctx, err)
	}
	return groupResource(g, members, true), nil
}

// changeMembers adds, removes (ids nil: all) or replaces members and applies mapped roles to
// those whose membership changed. It reports whether anything changed.
func (s *Service) changeMembers(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, g provisioning.DirectoryGroup, op string, ids []string) (bool, error) {
	var changed []string
	switch op {
	case "add":
		added, err := tx.AddDirectoryGroupMembers(ctx, actor.OrgID, g.ID, ids)
		if err != nil {
			return false, err
		}
		changed = inOrderOf(ids, added)
	case "remove":
		removed, err := tx.RemoveDirectoryGroupMembers(ctx, actor.OrgID, g.ID, ids)
		if err != nil {
			return false, err
		}
		changed = removed
	case "replace":
		removed, err := tx.RemoveDirectoryGroupMembers(ctx, actor.OrgID, g.ID, nil)
		if err != nil {
			return false, err
		}
		added, err := tx.AddDirectoryGroupMembers(ctx, actor.OrgID, g.ID, ids)
		if err != nil {
			return false, err
		}
		changed = symmetricDifference(removed, inOrderOf(ids, added))
	}
	rules, err := tx.ListGroupRoleMappings(ctx, actor.OrgID)
	if err != nil {
		return false, err
	}
	_, mapped := groupRole(rules, g)
	return len(changed) > 0, s.applyGroupRoles(ctx, tx, actor, mapped, changed)
}

// inOrderOf orders subset, some of ids, as ids are ordered: the request's order decides who
// gets the last free seats.
func inOrderOf(ids, subset []string) []string {
	in := make(map[string]bool, len(subset))
	for _, id := range subset {
		in[id] = true
	}
	out := make([]string, 0, len(subset))
	for _, id := range ids {
		if in[id] {
			out = append(out, id)
			delete(in, id)
		}
	}
	return out
}

// symmetricDifference lists what is in exactly one of a and b, a's first, each in its order.
func symmetricDifference(a, b []string) []string {
	inA, inB := make(map[string]bool, len(a)), make(map[string]bool, len(b))
	for _, x := range a {
		inA[x] = true
	}
	for _, x := range b {
		inB[x] = true
	}
	var out []string
	for _, x := range a {
		if !inB[x] {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !inA[x] {
			out = append(out, x)
		}
	}
	return out
}

// Get returns a group; members only when not excluded (excludedAttributes=members).
func (h groups) Get(r *http.Request, id string) (scim.Resource, error) {
	ctx := r.Context()
	sel := selectionOf(r)
	withMembers := sel.wants("members")
	var g provisioning.DirectoryGroup
	var members []provisioning.DirectoryMember
	err := h.s.viewing(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		var err error
		if g, err = tx.GetDirectoryGroup(ctx, actor.OrgID, id); err != nil {
			return notFoundAs(err, id)
		}
		if withMembers {
			members, err = tx.ListDirectoryGroupMembers(ctx, actor.OrgID, id)
		}
		return err
	})
	if err != nil {
		return scim.Resource{}, h.s.scimError(ctx, err)
	}
	res := groupResource(g, members, withMembers)
	sel.project(res.Attributes)
	return res, nil
}

// GetAll serves GET /Groups.
func (h groups) GetAll(r *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	q, err := h.s.getQuery(r, p, groupType)
	if err != nil {
		return scim.Page{}, err
	}
	return h.page(r, q)
}

// Search serves POST /Groups/.search.
func (h groups) Search(r *http.Request, p scim.SearchParams) (scim.Page, error) {
	q, err := h.s.searchQuery(p, groupType)
	if err != nil {
		return scim.Page{}, err
	}
	return h.page(r, q)
}

func (h groups) page(r *http.Request, q listQuery) (scim.Page, error) {
	res, total, err := h.s.listGroups(r, q.sel, q.filter, q.start, q.count)
	if err != nil {
		return scim.Page{}, h.s.listError(r.Context(), err)
	}
	return scim.Page{TotalResults: total, Resources: res}, nil
}

func (s *Service) listGroups(r *http.Request, sel selection, f *provisioning.DirectoryFilter, start, count int) ([]scim.Resource, int, error) {
	ctx := r.Context()
	withMembers := sel.wants("members")
	out := []scim.Resource{}
	var total int
	err := s.viewing(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		list, n, err := tx.ListDirectoryGroups(ctx, provisioning.DirectoryQuery{OrgID: actor.OrgID, Filter: f,
			Offset: max(start, 1) - 1, Limit: count})
		if err != nil {
			return err
		}
		total = n
		for _, g := range list {
			var members []provisioning.DirectoryMember
			if withMembers {
				if members, err = tx.ListDirectoryGroupMembers(ctx, actor.OrgID, g.ID); err != nil {
					return err
				}
			}
			res := groupResource(g, members, withMembers)
			sel.project(res.Attributes)
			out = append(out, res)
		}
		return nil
	})
	return out, total, err
}
