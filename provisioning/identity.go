package provisioning

import "context"

// transientPrefix marks the subject under which a connection whose IdP gives no persistent
// NameID is linked: the address it signed in with.
const transientPrefix = "email:"

// arrival is who an entrance says arrives, as identity resolution sees it.
type arrival struct {
	// orgID is the org whose entrance this is; empty for an email link, which belongs to no org.
	orgID    string
	entrance Entrance
	actor    Actor
	id       Identity
	// mayCreate lets resolution create an account for an email nobody holds.
	mayCreate bool
}

func arrivalOf(req ProvisionRequest) arrival {
	return arrival{orgID: req.OrgID, entrance: req.Entrance, actor: req.Actor, id: req.Identity, mayCreate: !req.ExistingMembersOnly}
}

// idp reports whether an org's identity provider speaks (SAML, OIDC): its word about an email
// counts only at domains that org has verified.
func (a arrival) idp() bool { return a.entrance == EntranceSAML || a.entrance == EntranceOIDC }

// setsNames reports whether the entrance is authoritative for a person's names.
func (a arrival) setsNames() bool { return a.entrance.MapsRoles() || a.entrance == EntranceManual }

// resolveUser decides which account an arrival is. It is the one rule for every entrance:
//  1. an external identity already linked (connection, subject) is that account; when the IdP
//     now says another email, the account follows it under the rename rule (renameForIdP);
//  2. otherwise the account holding the normalized email, which an org's IdP may reach only
//     when the org has verified the email's domain, and never when the account already has
//     another subject at the same connection (one subject per connection and account);
//  3. otherwise a new account (when allowed).
//
// Whether the email counts as proven: the entrance proved it itself (an email link), or an
// org's IdP speaks for a domain that org verified. A domain another org verified is refused
// to every IdP but that org's. The returned bool says whether the account was created.
func (s *Service) resolveUser(ctx context.Context, tx StoreTx, a arrival) (User, bool, error) {
	id := a.id
	proven := id.EmailVerified && !a.idp()
	speaks := false
	if a.idp() {
		holder, err := domainHolder(ctx, tx, id.Email)
		if err != nil {
			return User{}, false, err
		}
		if holder != "" && holder != a.orgID {
			return User{}, false, Errorf(CodeForbidden, "The domain of %s is verified by another organization, so this organization's identity provider cannot sign in people with that address.", id.Email)
		}
		speaks = holder != ""
		proven = speaks
	}
	subject := id.Subject
	if id.Transient {
		subject = transientPrefix + id.Email
	}
	if id.Issuer != "" {
		u, err := tx.FindIdentity(ctx, id.Issuer, subject)
		if err == nil {
			if !id.Transient && u.Email != id.Email {
				if u, err = s.renameForIdP(ctx, tx, a, u); err != nil {
					return User{}, false, err
				}
			}
			return s.refreshUser(ctx, tx, a, u, proven && u.Email == id.Email)
		}
		if !IsCode(err, CodeNotFound) {
			return User{}, false, err
		}
	}
	var u User
	var err error
	created := false
	if a.mayCreate {
		// The insert returns the stored user when the email is taken: one statement either way.
		now := s.Now()
		u, created, err = tx.EnsureUser(ctx, User{ID: NewID(), Email: id.Email, FirstName: id.FirstName,
			LastName: id.LastName, EmailVerified: proven, CreatedAt: now, UpdatedAt: now})
	} else if u, err = tx.GetUserByEmail(ctx, id.Email); IsCode(err, CodeNotFound) {
		return User{}, false, notAMember(ctx, tx, a.orgID, id.Email)
	}
	if err != nil {
		return User{}, false, err
	}
	if !created && id.Issuer != "" {
		switch linked, err := tx.FindUserIdentity(ctx, u.ID, id.Issuer); {
		case err == nil && linked.Subject == subject:
			// Linked meanwhile: the same person arriving twice at once.
			return s.refreshUser(ctx, tx, a, u, proven)
		case err == nil:
			return User{}, false, Errorf(CodeForbidden, "%s is already linked to another person at this identity provider, so this sign-in cannot take the account over. If the identity provider renamed someone, the account keeps its address until the organization has verified the domains of both addresses.", u.Email)
		case !IsCode(err, CodeNotFound):
			return User{}, false, err
		}
	}
	if !created && a.idp() && !speaks {
		return User{}, false, Errorf(CodeForbidden, "%s already has an account, and an identity provider may sign in existing accounts only at email domains its organization has verified. An administrator of this organization must verify the domain %s first.", id.Email, EmailDomain(id.Email))
	}
	if id.Issuer != "" {
		err := tx.LinkIdentity(ctx, LinkedIdentity{UserID: u.ID, Issuer: id.Issuer, Subject: subject, LinkedAt: s.Now()})
		if err != nil {
			return User{}, false, err
		}
	}
	if created {
		return u, true, nil
	}
	return s.refreshUser(ctx, tx, a, u, proven)
}

// notAMember refuses someone without an active membership where only members may arrive.
func notAMember(ctx context.Context, tx Tx, orgID, email string) error {
	org, err := tx.GetOrg(ctx, orgID)
	if err != nil {
		return err
	}
	return Errorf(CodeForbidden, "%s has no active membership in %s, and people are not added on first sign-in here. Ask an administrator of %s to add you.", email, org.Name, org.Name)
}

// domainHolder returns the org holding the email's domain verified, or "".
func domainHolder(ctx context.Context, tx StoreTx, email string) (string, error) {
	d, err := tx.FindVerifiedDomain(ctx, EmailDomain(email))
	if IsCode(err, CodeNotFound) {
		return "", nil
	}
	return d.OrgID, err
}

// renameForIdP follows an org's IdP that now calls a known person by another email, under the
// same rule as directory renames (emailChangeRefusal): the org verified both domains, the
// account belongs to no other org and no other account holds the address. Otherwise the account
// keeps its email and the audit log says why.
func (s *Service) renameForIdP(ctx context.Context, tx StoreTx, a arrival, u User) (User, error) {
	// The org before the user, as every path that locks both takes them.
	if _, err := tx.LockOrg(ctx, a.orgID); err != nil {
		return User{}, err
	}
	u, err := tx.LockUser(ctx, u.ID)
	if err != nil || u.Email == a.id.Email {
		return u, err
	}
	_, err = s.renameTx(ctx, tx, a.actor, a.entrance, a.orgID, &u, a.id.Email, "the identity provider")
	return u, err
}

// renameTx moves user to email when emailChangeRefusal allows it (ending the account's sessions)
// and records user.email_changed, or records user.email_kept with the reason. by names who asked,
// for the audit reason. It reports whether the email changed; *user is updated when it did.
func (s *Service) renameTx(ctx context.Context, tx StoreTx, actor Actor, entrance Entrance, orgID string, user *User, email, by string) (bool, error) {
	change := Change{Actor: actor, OrgID: orgID, Entrance: entrance, TargetType: "user", TargetID: user.ID,
		Before: map[string]string{"email": user.Email}, After: map[string]string{"email": email}}
	refusal, err := s.emailChangeRefusal(ctx, tx, orgID, *user, email)
	if err != nil {
		return false, err
	}
	if refusal != "" {
		change.Action, change.After = "user.email_kept", change.Before
		change.Reason = by + " renamed " + user.Email + " to " + email + ", but " + refusal
		return false, s.record(ctx, tx, change)
	}
	user.Email, user.EmailVerified, user.UpdatedAt = email, true, s.Now()
	if err := tx.UpdateUser(ctx, *user); err != nil {
		return false, err
	}
	// Sessions opened under the old address end: the person signs in again as who they are now.
	if err := tx.EndUserSessions(ctx, user.ID, s.Now()); err != nil {
		return false, err
	}
	change.Action, change.Webhook = "user.email_changed", true
	return true, s.record(ctx, tx, change)
}

// refreshUser applies names from authoritative entrances and records a newly proven email: the
// first proof of an account's address cuts off every identity that reached it without proof.
func (s *Service) refreshUser(ctx context.Context, tx Tx, a arrival, u User, proven bool) (User, bool, error) {
	id := a.id
	next := u
	if a.setsNames() {
		if id.FirstName != "" {
			next.FirstName = id.FirstName
		}
		if id.LastName != "" {
			next.LastName = id.LastName
		}
	}
	if proven {
		next.EmailVerified = true
	}
	if next == u {
		return u, false, nil
	}
	if next.EmailVerified && !u.EmailVerified {
		keep := LinkedIdentity{UserID: u.ID, Issuer: id.Issuer, Subject: id.Subject}
		if id.Transient {
			keep.Subject = transientPrefix + id.Email
		}
		if err := s.disownUnproven(ctx, tx, u.ID, keep); err != nil {
			return User{}, false, err
		}
	}
	next.UpdatedAt = s.Now()
	return next, false, tx.UpdateUser(ctx, next)
}

// ProveEmailTx records that someone proved they read mail at email (they followed an email
// link): it finds or creates the one account for the address and marks it proven, cutting off
// identities that reached it without proof.
func (s *Service) ProveEmailTx(ctx context.Context, in Txn, email string) (User, error) {
	tx := in.storeTx()
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	u, _, err := s.resolveUser(ctx, tx, arrival{id: Identity{Email: email, EmailVerified: true}, mayCreate: true})
	return u, err
}
