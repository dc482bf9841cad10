package sqlstore

import (
	"context"

	"github.com/rollcall/rollcall/provisioning"
)

const userColumns = `u.id, u.email, u.first_name, u.last_name, u.email_verified, u.created_at, u.updated_at`

func scanUser(r Rows, u *provisioning.User) error {
	return r.Scan(&u.ID, &u.Email, &u.FirstName, &u.LastName, &u.EmailVerified,
		timeValue{&u.CreatedAt}, timeValue{&u.UpdatedAt})
}

func (t *Tx) getUser(ctx context.Context, query string, args ...any) (provisioning.User, error) {
	var u provisioning.User
	err := t.queryOne(ctx, "user", query, args, func(r Rows) error { return scanUser(r, &u) })
	return u, err
}

// GetUser reads a user by id.
func (t *Tx) GetUser(ctx context.Context, id string) (provisioning.User, error) {
	return t.getUser(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id)
}

// LockUser reads a user and write-locks the row until the transaction ends.
func (t *Tx) LockUser(ctx context.Context, id string) (provisioning.User, error) {
	return t.getUser(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`+t.d.ForUpdate(), id)
}

// GetUserByEmail reads a user by normalized email.
func (t *Tx) GetUserByEmail(ctx context.Context, email string) (provisioning.User, error) {
	return t.getUser(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = $1`, email)
}

const insertUser = `INSERT INTO users (id, email, first_name, last_name, sort_name,
		email_verified, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
		ON CONFLICT (email) DO NOTHING`

// ensureUserPostgres is insertUser and, when the email is taken, the stored user, in one
// statement (one round trip for a new person and for a known one). The stored row is read
// with the statement's snapshot, so a user committed after it began comes back as no row.
const ensureUserPostgres = `WITH ins AS (` + insertUser + ` RETURNING id)
	SELECT ` + userColumns + `, FALSE FROM users u WHERE u.email = $2 AND NOT EXISTS (SELECT 1 FROM ins)
	UNION ALL SELECT ins.id, '', '', '', FALSE, $7, $8, TRUE FROM ins`

// EnsureUser inserts u unless its email is taken, and returns the stored user and whether it
// was created. The insert ignores a conflict, so concurrent calls for one email never fail and
// yield one row.
func (t *Tx) EnsureUser(ctx context.Context, u provisioning.User) (provisioning.User, bool, error) {
	args := []any{u.ID, u.Email, u.FirstName, u.LastName, provisioning.SortName(u.FirstName, u.LastName, u.Email),
		u.EmailVerified, utc(u.CreatedAt), utc(u.UpdatedAt)}
	created := false
	if t.d.Dialect() == "postgres" {
		var stored provisioning.User
		err := t.queryOne(ctx, "user", ensureUserPostgres, args, func(r Rows) error {
			return r.Scan(&stored.ID, &stored.Email, &stored.FirstName, &stored.LastName, &stored.EmailVerified,
				timeValue{&stored.CreatedAt}, timeValue{&stored.UpdatedAt}, &created)
		})
		switch {
		case err == nil && !created:
			return stored, false, nil
		case err != nil && !provisioning.IsCode(err, provisioning.CodeNotFound):
			return provisioning.User{}, false, err
		}
	} else {
		n, err := t.exec(ctx, "user", insertUser, args...)
		if err != nil {
			return provisioning.User{}, false, err
		}
		created = n == 1
	}
	if created {
		u.CreatedAt, u.UpdatedAt = utc(u.CreatedAt), utc(u.UpdatedAt)
		return u, true, nil
	}
	stored, err := t.GetUserByEmail(ctx, u.Email)
	return stored, false, err
}

// UpdateUser writes a user's names, email and verification.
func (t *Tx) UpdateUser(ctx context.Context, u provisioning.User) error {
	n, err := t.exec(ctx, "user with this email", `UPDATE users SET email=$2, first_name=$3, last_name=$4,
		sort_name=$5, email_verified=$6, updated_at=$7 WHERE id=$1`,
		u.ID, u.Email, u.FirstName, u.LastName, provisioning.SortName(u.FirstName, u.LastName, u.Email),
		u.EmailVerified, utc(u.UpdatedAt))
	if err != nil {
		return err
	}
	if err := mustAffect(n, "user"); err != nil {
		return err
	}
	return t.copyMemberKeys(ctx, u.ID)
}

// copyMemberKeys copies a user's sort name and email onto their memberships, in the
// transaction that changed the user: member lists sort and search on the membership side.
func (t *Tx) copyMemberKeys(ctx context.Context, userID string) error {
	_, err := t.exec(ctx, "membership", `UPDATE memberships SET sort_name = u.sort_name, email = u.email
		FROM users u WHERE u.id = $1 AND memberships.user_id = u.id
		AND (memberships.sort_name <> u.sort_name OR memberships.email <> u.email)`, userID)
	return err
}

// FindIdentity returns the user linked to (issuer, subject).
func (t *Tx) FindIdentity(ctx context.Context, issuer, subject string) (provisioning.User, error) {
	return t.getUser(ctx, `SELECT `+userColumns+` FROM identities i JOIN users u ON u.id = i.user_id
		WHERE i.issuer = $1 AND i.subject = $2`, issuer, subject)
}

// UnlinkIdentities removes a user's linked external identities.
func (t *Tx) UnlinkIdentities(ctx context.Context, userID string) (int64, error) {
	return t.exec(ctx, "identity", `DELETE FROM identities WHERE user_id = $1`, userID)
}

// FindUserIdentity returns the identity a user has at issuer.
func (t *Tx) FindUserIdentity(ctx context.Context, userID, issuer string) (provisioning.LinkedIdentity, error) {
	id := provisioning.LinkedIdentity{UserID: userID, Issuer: issuer}
	err := t.queryOne(ctx, "identity", `SELECT subject, created_at FROM identities WHERE user_id = $1 AND issuer = $2`,
		[]any{userID, issuer}, func(r Rows) error { return r.Scan(&id.Subject, timeValue{&id.LinkedAt}) })
	return id, err
}

// LinkIdentity links (issuer, subject) to a user. Linking it to another user, or a second
// subject of the issuer to the user, is a conflict (the unique index identities_issuer_user).
func (t *Tx) LinkIdentity(ctx context.Context, id provisioning.LinkedIdentity) error {
	_, err := t.exec(ctx, "identity", `INSERT INTO identities (issuer, subject, user_id, created_at)
		VALUES ($1,$2,$3,$4) ON CONFLICT (issuer, subject) DO NOTHING`,
		id.Issuer, id.Subject, id.UserID, utc(id.LinkedAt))
	if err != nil {
		return err
	}
	linked, err := t.FindIdentity(ctx, id.Issuer, id.Subject)
	if err != nil {
		return err
	}
	if linked.ID != id.UserID {
		return provisioning.Errorf(provisioning.CodeConflict, "this identity is already linked to another user")
	}
	return nil
}
