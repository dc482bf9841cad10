package scim

import (
	"context"
	"net/http"

	"github.com/elimity-com/scim"

	"github.com/rollcall/rollcall/provisioning"
)

// needsBatches reports whether member changes are applied in batches: more ids than one batch,
// or a replace or remove-all, whose size depends on the group.
func (s *Service) needsBatches(changes []memberChange) bool {
	n := 0
	for _, c := range changes {
		if c.op == "replace" || (c.op == "remove" && c.ids == nil) {
			return true
		}
		n += len(c.ids)
	}
	return n > s.memberBatch()
}

func (s *Service) memberBatch() int {
	if s.opts.MemberBatch > 0 {
		return s.opts.MemberBatch
	}
	return DefaultMemberBatch
}

// patchInBatches applies a large group change so that no transaction (and no lock of the
// directory or the org) lasts for the whole request: first the other attributes and If-Match
// in one transaction, then the member changes in batches of Options.MemberBatch ids, each
// committed with the role decisions of its members, then the group's new version. Every step
// is idempotent (adding a member twice or removing an absent one changes nothing), so a
// request that fails part-way has left a consistent group, and sending it again converges to
// the state it asks for. Seats: members whose mapped role needs a seat get one while seats
// are free, in the order of the request, and come in as viewers after that (the audit log
// says why), as one SCIM-created user would; the request still succeeds.
func (h groups) patchInBatches(r *http.Request, id string, attrs groupChange, members []memberChange, respond bool) (scim.Resource, error) {
	ctx, err := h.s.authenticated(r.Context())
	if err != nil {
		return scim.Resource{}, h.s.scimError(ctx, err)
	}
	r, actor := r.WithContext(ctx), actorFrom(ctx)
	if _, err := h.update(r, id, attrs, false); err != nil {
		return scim.Resource{}, err
	}
	changed := false
	for _, m := range members {
		c, err := h.s.changeMembersInBatches(ctx, actor, id, m)
		if err != nil {
			return scim.Resource{}, h.s.scimError(ctx, err)
		}
		changed = changed || c
	}
	sel := selectionOf(r)
	withMembers := respond && sel.wants("members")
	var g provisioning.DirectoryGroup
	var list []provisioning.DirectoryMember
	err = h.s.door().Update(ctx, func(tx provisioning.DirectoryTxn) error {
		var err error
		if g, err = tx.GetDirectoryGroup(ctx, actor.OrgID, id); err != nil {
			return notFoundAs(err, id)
		}
		if changed {
			g.Version, g.UpdatedAt = g.Version+1, h.s.core.Now()
			if err := tx.UpdateDirectoryGroup(ctx, g); err != nil {
				return err
			}
		}
		if withMembers {
			list, err = tx.ListDirectoryGroupMembers(ctx, actor.OrgID, id)
		}
		return err
	})
	if err != nil || !respond {
		return scim.Resource{}, h.s.scimError(ctx, err)
	}
	res := groupResource(g, list, withMembers)
	sel.project(res.Attributes)
	return res, nil
}

// changeMembersInBatches applies one member change in transactions of at most one batch of
// ids each. A replace first removes, page by page, the members the new list leaves out, then
// adds the list; a remove-all removes a page at a time until the group is empty.
func (s *Service) changeMembersInBatches(ctx context.Context, actor provisioning.Actor, groupID string, m memberChange) (bool, error) {
	n := s.memberBatch()
	changed := false
	run := func(op string, ids []string) error {
		c, err := s.memberBatchTx(ctx, actor, groupID, op, ids)
		changed = changed || c
		return err
	}
	if m.op == "replace" || m.ids == nil {
		keep := make(map[string]bool, len(m.ids))
		for _, id := range m.ids {
			keep[id] = true
		}
		if err := s.removeOthers(ctx, actor, groupID, keep, run); err != nil {
			return changed, err
		}
		if m.ids == nil {
			return changed, nil
		}
		m.op = "add"
	}
	for ids := m.ids; len(ids) > 0; {
		k := min(n, len(ids))
		if err := run(m.op, ids[:k]); err != nil {
			return changed, err
		}
		ids = ids[k:]
	}
	return changed, nil
}

// removeOthers walks the group's members a page at a time (in id order) and removes those not
// in keep, each page in its own transaction.
func (s *Service) removeOthers(ctx context.Context, actor provisioning.Actor, groupID string, keep map[string]bool, run func(string, []string) error) error {
	after := ""
	for {
		var page []string
		err := s.door().View(ctx, func(tx provisioning.DirectoryTxn) error {
			var err error
			page, err = tx.ListDirectoryGroupMemberIDs(ctx, actor.OrgID, groupID, after, s.memberBatch())
			return err
		})
		if err != nil || len(page) == 0 {
			return err
		}
		after = page[len(page)-1]
		var gone []string
		for _, id := range page {
			if !keep[id] {
				gone = append(gone, id)
			}
		}
		if len(gone) > 0 {
			if err := run("remove", gone); err != nil {
				return err
			}
		}
	}
}

// memberBatchTx applies one batch of a member change, with its members' mapped roles, in one
// transaction. A group deleted meanwhile is not found.
func (s *Service) memberBatchTx(ctx context.Context, actor provisioning.Actor, groupID, op string, ids []string) (bool, error) {
	changed := false
	err := s.door().Update(ctx, func(tx provisioning.DirectoryTxn) error {
		g, err := tx.GetDirectoryGroup(ctx, actor.OrgID, groupID)
		if err != nil {
			return notFoundAs(err, groupID)
		}
		changed, err = s.changeMembers(ctx, tx, actor, g, op, ids)
		return err
	})
	if err == nil && s.batchDone != nil {
		s.batchDone()
	}
	return changed, err
}
