package scim

import (
	"context"
	"net/http"

	"github.com/elimity-com/scim"

	"github.com/rollcall/rollcall/provisioning"
)

// users is the ResourceHandler of /Users.
type users struct{ s *Service }

// Create provisions a person: the pipeline finds or creates the user by email and joins (or
// links, or brings back) their membership; the SCIM user row commits with it, in the
// transaction that checks the token (admitted).
func (h users) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	ctx := r.Context()
	d := requestDocument(r, attrs, userType)
	if err := checkBounds(d, userStrings, h.s.opts.MaxValues); err != nil {
		return scim.Resource{}, err
	}
	f, err := readUser(d)
	if err != nil {
		return scim.Resource{}, err
	}
	var out provisioning.DirectoryUser
	err = h.s.admitted(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		active := f.active == nil || *f.active
		res, err := h.s.core.ProvisionTx(ctx, tx, provisioning.ProvisionRequest{
			OrgID: actor.OrgID, Entrance: provisioning.EntranceSCIM, Actor: actor, Reactivate: active, Suspended: !active,
			Identity: provisioning.Identity{Email: f.email, FirstName: f.givenName, LastName: f.familyName, ExternalID: f.externalID},
		})
		if err != nil {
			return err
		}
		if !active && res.Membership.Status == provisioning.StatusActive { // an existing member, linked
			if _, _, err := h.s.core.SuspendByDirectoryTx(ctx, tx, actor, actor.OrgID, res.Membership.ID); err != nil {
				return err
			}
		}
		now := h.s.core.Now()
		out = provisioning.DirectoryUser{ID: provisioning.NewID(), OrgID: actor.OrgID, UserID: res.User.ID,
			MembershipID: res.Membership.ID, Active: active, Version: 1, CreatedAt: now, UpdatedAt: now}
		f.apply(&out, d)
		// A taken userName is the unique index's to find: the insert's conflict is a 409
		// uniqueness, and the transaction (membership, audit entry, event) rolls back with it.
		return tx.InsertDirectoryUser(ctx, out)
	})
	if err != nil {
		return scim.Resource{}, h.s.scimError(ctx, err)
	}
	return userResource(out), nil
}

func (f userFields) apply(u *provisioning.DirectoryUser, d document) {
	u.UserName, u.UserNameKey, u.ExternalID, u.DisplayName = f.userName, f.key, f.externalID, f.displayName
	u.GivenName, u.FamilyName, u.Emails, u.Attributes = f.givenName, f.familyName, f.emails, d.marshal()
}

func firstErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func findUserByKey(ctx context.Context, tx provisioning.DirectoryTxn, orgID, key string) (provisioning.DirectoryUser, bool, error) {
	list, _, err := tx.ListDirectoryUsers(ctx, provisioning.DirectoryQuery{OrgID: orgID, Limit: 1,
		Filter: &provisioning.DirectoryFilter{Op: "cmp", Attr: "username", Cmp: "eq", Value: key}})
	if err != nil || len(list) == 0 {
		return provisioning.DirectoryUser{}, false, err
	}
	return list[0], true, nil
}

// Get returns one user of the token's org.
func (h users) Get(r *http.Request, id string) (scim.Resource, error) {
	ctx := r.Context()
	var u provisioning.DirectoryUser
	err := h.s.viewing(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		var err error
		u, err = tx.GetDirectoryUser(ctx, actor.OrgID, id)
		return err
	})
	if err != nil {
		return scim.Resource{}, h.s.scimError(ctx, notFoundAs(err, id))
	}
	res := userResource(u)
	selectionOf(r).project(res.Attributes)
	return res, nil
}

// GetAll serves GET /Users.
func (h users) GetAll(r *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	q, err := h.s.getQuery(r, p, userType)
	if err != nil {
		return scim.Page{}, err
	}
	return h.page(r.Context(), q)
}

// Search serves POST /Users/.search.
func (h users) Search(r *http.Request, p scim.SearchParams) (scim.Page, error) {
	q, err := h.s.searchQuery(p, userType)
	if err != nil {
		return scim.Page{}, err
	}
	return h.page(r.Context(), q)
}

func (h users) page(ctx context.Context, q listQuery) (scim.Page, error) {
	list, total, err := h.s.listUsers(ctx, q.filter, q.start, q.count)
	if err != nil {
		return scim.Page{}, h.s.listError(ctx, err)
	}
	page := scim.Page{TotalResults: total, Resources: []scim.Resource{}}
	for _, u := range list {
		res := userResource(u)
		q.sel.project(res.Attributes)
		page.Resources = append(page.Resources, res)
	}
	return page, nil
}

func (s *Service) listUsers(ctx context.Context, f *provisioning.DirectoryFilter, start, count int) ([]provisioning.DirectoryUser, int, error) {
	var list []provisioning.DirectoryUser
	var total int
	err := s.viewing(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		var err error
		list, total, err = tx.ListDirectoryUsers(ctx, provisioning.DirectoryQuery{OrgID: actor.OrgID, Filter: f,
			Offset: max(start, 1) - 1, Limit: count})
		return err
	})
	return list, total, err
}

// Replace is a full PUT (Okta): the document replaces the stored one; a PUT without active keeps
// the current state instead of suspending.
func (h users) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	d := requestDocument(r, attrs, userType)
	return h.update(r, id, func(provisioning.DirectoryUser) (document, error) { return d, nil })
}

// Patch applies the operations to the stored document, then saves it like a PUT.
func (h users) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	return h.update(r, id, func(old provisioning.DirectoryUser) (document, error) {
		d := copyDocument(old.Attributes)
		d.set("active", old.Active)
		for _, op := range ops {
			if err := applyOp(d, op, userType); err != nil {
				return nil, err
			}
		}
		return d.clean(), nil
	})
}

// update replaces a user with the document next makes of the stored one, in the transaction
// that checks the token (admitted).
func (h users) update(r *http.Request, id string, next func(provisioning.DirectoryUser) (document, error)) (scim.Resource, error) {
	ctx := r.Context()
	var out provisioning.DirectoryUser
	err := h.s.admitted(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		old, err := tx.GetDirectoryUser(ctx, actor.OrgID, id)
		if err != nil {
			return notFoundAs(err, id)
		}
		if err := checkIfMatch(r, old.Version); err != nil {
			return err
		}
		d, err := next(old)
		if err != nil {
			return err
		}
		out, err = h.s.saveUser(ctx, tx, actor, old, d)
		return err
	})
	if err != nil {
		return scim.Resource{}, h.s.scimError(ctx, err)
	}
	return userResource(out), nil
}

// Delete removes the membership through the core (data kept) and forgets the SCIM user, in
// the transaction that checks the token (admitted).
func (h users) Delete(r *http.Request, id string) error {
	ctx := r.Context()
	err := h.s.admitted(ctx, func(tx provisioning.DirectoryTxn, actor provisioning.Actor) error {
		u, err := tx.GetDirectoryUser(ctx, actor.OrgID, id)
		if err != nil {
			return notFoundAs(err, id)
		}
		if err := checkIfMatch(r, u.Version); err != nil {
			return err
		}
		if _, _, err := h.s.core.RemoveByDirectoryTx(ctx, tx, actor, actor.OrgID, u.MembershipID); err != nil {
			return err
		}
		return tx.DeleteDirectoryUser(ctx, actor.OrgID, id)
	})
	return h.s.scimError(ctx, err)
}
