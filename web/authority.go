package web

import "github.com/rollcall/rollcall/provisioning"

// rowActions are the buttons a row of the members table (or a member's page) shows: only those
// the signed-in person's role allows under the role table. The core checks every one again,
// so a button shown by mistake is refused, and one hidden can still be refused by the core.
type rowActions struct {
	// ID is the membership's or invitation's id; Who names them in confirmations; CSRF and
	// Path are the form token and the org's console address the forms post to.
	ID, Who, CSRF, Path string
	// Roles are the roles the person may give this member, their current one excluded.
	Roles      []option
	Suspend    bool
	Reactivate bool
	Remove     bool
	MakeOwner  bool
	Transfer   bool
	Resend     bool
	Revoke     bool
}

// Any reports whether the row has any button.
func (a rowActions) Any() bool {
	return len(a.Roles) > 0 || a.Suspend || a.Reactivate || a.Remove || a.MakeOwner || a.Transfer || a.Resend || a.Revoke
}

// mayManage mirrors the core's rule: owners manage anyone, admins only members and viewers.
func mayManage(me, target provisioning.Role) bool {
	return me == provisioning.RoleOwner || (me == provisioning.RoleAdmin && !target.IsAdmin())
}

// memberActions are the buttons for a membership; none on the person's own row (they change
// their own role from another owner's console, and leave through the API).
func memberActions(me provisioning.Membership, m provisioning.Member) rowActions {
	var a rowActions
	if m.ID == me.ID || !mayManage(me.Role, m.Role) || m.Status == provisioning.StatusRemoved {
		return a
	}
	if m.Status == provisioning.StatusActive {
		for _, r := range []provisioning.Role{provisioning.RoleAdmin, provisioning.RoleMember, provisioning.RoleViewer} {
			if r != m.Role && (r != provisioning.RoleAdmin || me.Role == provisioning.RoleOwner) {
				a.Roles = append(a.Roles, option{Value: string(r), Text: roleLabel(r)})
			}
		}
		a.Suspend = true
		owner := me.Role == provisioning.RoleOwner && m.Role != provisioning.RoleOwner
		a.MakeOwner, a.Transfer = owner, owner
	}
	a.Reactivate = m.Status == provisioning.StatusSuspended
	a.Remove = true
	return a
}

// invitationActions are the buttons for a pending invitation: admins manage member and viewer
// invitations, owners admin ones too.
func invitationActions(me provisioning.Role, inv provisioning.Invitation) rowActions {
	ok := mayManage(me, inv.Role)
	return rowActions{Resend: ok, Revoke: ok}
}

// roleLabel is a role as the page names it.
func roleLabel(r provisioning.Role) string {
	switch r {
	case provisioning.RoleOwner:
		return "Owner"
	case provisioning.RoleAdmin:
		return "Admin"
	case provisioning.RoleMember:
		return "Member"
	case provisioning.RoleViewer:
		return "Viewer"
	}
	return string(r)
}

// option is one choice of a select.
type option struct {
	Value, Text string
	Selected    bool
}

// options turns (value, label) pairs into a select's options with current selected.
func options(choices [][2]string, current string) []option {
	out := make([]option, 0, len(choices))
	for _, c := range choices {
		out = append(out, option{Value: c[0], Text: c[1], Selected: c[0] == current})
	}
	return out
}
