package scim

import (
	"bytes"
	"context"
	"net/http"
	"strings"

	"github.com/elimity-com/scim"
	"github.com/scim2/filter-parser/v2"

	"github.com/rollcall/rollcall/provisioning"
)

// Replace is a PUT: displayName, externalId and other attributes are replaced; members are
// replaced when the body carries them and kept when it does not; more members than one batch
// are replaced in batches (patchInBatches).
func (h groups) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	d := requestDocument(r, attrs, groupType)
	rawMembers, hasMembers := d.get("members")
	ids, err := memberIDs(rawMembers)
	if err != nil {
		return scim.Resource{}, err
	}
	d.del("members")
	if hasMembers && len(ids) > h.s.memberBatch() {
		keep := func(context.Context, provisioning.DirectoryTxn, provisioning.Actor, *provisioning.DirectoryGroup) (document, bool, error) {
			return d, false, nil
		}
		return h.patchInBatches(r, id, keep, []memberChange{{"replace", ids}}, true)
	}
	return h.update(r, id, func(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, g *provisioning.DirectoryGroup) (document, bool, error) {
		if !hasMembers {
			return d, false, nil
		}
		changed, err := h.s.changeMembers(ctx, tx, actor, *g, "replace", ids)
		return d, changed, err
	}, true)
}

// Patch applies member operations in SQL batches and the others to the stored document. It
// answers 204 unless the request asks for attributes (attributes or excludedAttributes). A
// change of more members than fit one batch (Options.MemberBatch) is applied in batches that
// each commit (patchInBatches).
func (h groups) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	q := r.URL.Query()
	respond := q.Has("attributes") || q.Has("excludedAttributes")
	attrs, members, err := splitOps(ops)
	if err != nil {
		return scim.Resource{}, err
	}
	if h.s.needsBatches(members) {
		return h.patchInBatches(r, id, func(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, g *provisioning.DirectoryGroup) (document, bool, error) {
			d := copyDocument(g.Attributes)
			d.set("displayName", g.DisplayName)
			for _, op := range attrs {
				if err := applyOp(d, op, groupType); err != nil {
					return nil, false, err
				}
			}
			return d, false, nil
		}, members, respond)
	}
	return h.update(r, id, func(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, g *provisioning.DirectoryGroup) (document, bool, error) {
		d := copyDocument(g.Attributes)
		d.set("displayName", g.DisplayName)
		changed := false
		for _, op := range ops {
			c, err := h.patchOne(ctx, tx, actor, g, d, op)
			if err != nil {
				return nil, false, err
			}
			changed = changed || c
		}
		return d, changed, nil
	}, respond)
}

func (h groups) patchOne(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, g *provisioning.DirectoryGroup, d document, op scim.PatchOperation) (bool, error) {
	m, rest, err := splitOp(op)
	if err != nil {
		return false, err
	}
	changed := false
	if m != nil {
		if changed, err = h.s.changeMembers(ctx, tx, actor, *g, m.op, m.ids); err != nil {
			return false, err
		}
	}
	if rest != nil {
		return changed, applyOp(d, *rest, groupType)
	}
	return changed, nil
}

// memberChange is what one PATCH operation does to a group's members: add, remove (ids nil:
// every member) or replace.
type memberChange struct {
	op  string
	ids []string
}

// splitOps validates every operation and separates the member changes from the rest, so that
// a request is refused before any of it is written.
func splitOps(ops []scim.PatchOperation) ([]scim.PatchOperation, []memberChange, error) {
	var attrs []scim.PatchOperation
	var members []memberChange
	for _, op := range ops {
		m, rest, err := splitOp(op)
		if err != nil {
			return nil, nil, err
		}
		if m != nil {
			members = append(members, *m)
		}
		if rest != nil {
			attrs = append(attrs, *rest)
		}
	}
	return attrs, members, nil
}

// splitOp separates what an operation does to members from what it does to other attributes
// (rest nil: nothing); a path-less value's members go to the member change, the rest to rest.
// The operation itself is left as it is.
func splitOp(op scim.PatchOperation) (*memberChange, *scim.PatchOperation, error) {
	if op.Path == nil {
		values, ok := op.Value.(map[string]any)
		if !ok {
			return nil, nil, badValue("an operation without a path needs an object value")
		}
		raw, ok := document(values).get("members")
		if !ok {
			return nil, &op, nil
		}
		ids, err := memberIDs(raw)
		if err != nil {
			return nil, nil, err
		}
		others := make(document, len(values))
		for k, v := range values {
			others[k] = v
		}
		others.del("members")
		rest := op
		rest.Value = map[string]any(others)
		return &memberChange{op.Op, ids}, &rest, nil
	}
	if !strings.EqualFold(op.Path.AttributePath.AttributeName, "members") {
		return nil, &op, nil
	}
	if op.Path.ValueExpression != nil {
		if op.Op != "remove" || op.Path.SubAttribute != nil {
			return nil, nil, badPath("members[...] paths are supported for remove only")
		}
		decoded, err := decodeStrings(op.Path.ValueExpression)
		if err != nil {
			return nil, nil, badPath(provisioning.ErrorMessage(err))
		}
		ids, ok := filterValues(decoded)
		if !ok {
			return nil, nil, badPath(`use members[value eq "<user id>"] to remove a member`)
		}
		return &memberChange{"remove", ids}, nil, nil
	}
	if op.Path.AttributePath.SubAttribute != nil {
		return nil, nil, badPath("members sub-attributes cannot be changed")
	}
	if op.Op == "remove" && op.Value == nil {
		return &memberChange{"remove", nil}, nil, nil
	}
	ids, err := memberIDs(op.Value)
	if err != nil {
		return nil, nil, err
	}
	return &memberChange{op.Op, ids}, nil, nil
}

// filterValues reads the ids of members[value eq "a" or value eq "b"].
func filterValues(e filter.Expression) ([]string, bool) {
	switch e := e.(type) {
	case *filter.AttributeExpression:
		s, ok := e.CompareValue.(string)
		if !ok || !strings.EqualFold(e.AttributePath.AttributeName, "value") || !strings.EqualFold(string(e.Operator), "eq") {
			return nil, false
		}
		return []string{s}, true
	case *filter.LogicalExpression:
		if !strings.EqualFold(string(e.Operator), "or") {
			return nil, false
		}
		l, ok := filterValues(e.Left)
		if !ok {
			return nil, false
		}
		r, ok := filterValues(e.Right)
		return append(l, r...), ok
	}
	return nil, false
}

// groupChange makes a group's new document from the stored group, changing its members in tx
// as actor; it reports whether the members changed.
type groupChange func(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, g *provisioning.DirectoryGroup) (document, bool, error)

// update changes a group in one transaction (writing): the token is checked in it unless
// the handler checked it before (patchInBatches).
func (h groups) update(r *http.Request, id string, change groupChange, respond bool) (scim.Resource, error) {
	ctx := r.Context()
	sel := selectionOf(r)
	withMembers := respond && sel.wants("members")
	var g provisioning.DirectoryGroup
	var members []provisioning.DirectoryMember
	err := h.s.writing(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		var err error
		if g, err = tx.GetDirectoryGroup(ctx, actor.OrgID, id); err != nil {
			return notFoundAs(err, id)
		}
		if err := checkIfMatch(r, g.Version); err != nil {
			return err
		}
		d, membersChanged, err := change(ctx, tx, actor, &g)
		if err != nil {
			return err
		}
		if g, err = h.s.saveGroup(ctx, tx, actor, g, d, membersChanged); err != nil {
			return err
		}
		if withMembers {
			members, err = tx.ListDirectoryGroupMembers(ctx, actor.OrgID, id)
		}
		return err
	})
	if err != nil {
		return scim.Resource{}, h.s.scimError(ctx, err)
	}
	if !respond {
		return scim.Resource{}, nil
	}
	res := groupResource(g, members, withMembers)
	sel.project(res.Attributes)
	return res, nil
}

// saveGroup writes a group's new attributes. A rename that changes which rule maps the group
// re-decides every member's role.
func (s *Service) saveGroup(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, old provisioning.DirectoryGroup, d document, membersChanged bool) (provisioning.DirectoryGroup, error) {
	d.clean().del("members")
	if err := checkBounds(d, groupStrings, s.opts.MaxValues); err != nil {
		return old, err
	}
	next := old
	next.DisplayName = strings.TrimSpace(d.str("displayName"))
	if next.DisplayName == "" {
		return old, badValue("displayName is required")
	}
	next.ExternalID = d.str("externalId")
	d.del("displayName")
	next.Attributes = d.marshal()
	same := next.DisplayName == old.DisplayName && next.ExternalID == old.ExternalID && bytes.Equal(next.Attributes, old.Attributes)
	if same && !membersChanged {
		return old, nil
	}
	if !same {
		if err := s.remapGroup(ctx, tx, actor, old, next); err != nil {
			return old, err
		}
	}
	next.Version, next.UpdatedAt = old.Version+1, s.core.Now()
	return next, tx.UpdateDirectoryGroup(ctx, next)
}

func (s *Service) remapGroup(ctx context.Context, tx provisioning.DirectoryTxn, actor provisioning.Actor, old, next provisioning.DirectoryGroup) error {
	rules, err := tx.ListGroupRoleMappings(ctx, actor.OrgID)
	if err != nil || len(rules) == 0 {
		return err
	}
	before, _ := groupRole(rules, old)
	after, _ := groupRole(rules, next)
	if before == after {
		return nil
	}
	if err := tx.UpdateDirectoryGroup(ctx, next); err != nil {
		return err
	}
	members, err := tx.ListDirectoryGroupMembers(ctx, actor.OrgID, old.ID)
	if err != nil {
		return err
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	return s.applyGroupRoles(ctx, tx, actor, true, ids)
}

// Delete deletes a group; its members leave it, which re-decides their roles if it was mapped.
func (h groups) Delete(r *http.Request, id string) error {
	ctx := r.Context()
	err := h.s.admitted(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		g, err := tx.GetDirectoryGroup(ctx, actor.OrgID, id)
		if err != nil {
			return notFoundAs(err, id)
		}
		if err := checkIfMatch(r, g.Version); err != nil {
			return err
		}
		if _, err := h.s.changeMembers(ctx, tx, actor, g, "remove", nil); err != nil {
			return err
		}
		return tx.DeleteDirectoryGroup(ctx, actor.OrgID, id)
	})
	return h.s.scimError(ctx, err)
}
