package scim

import (
	"context"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// MappingInput is a new group → role rule.
type MappingInput struct {
	// Group is matched, case-insensitively, against a directory group's displayName, id or externalId.
	Group string            `json:"group"`
	Role  provisioning.Role `json:"role"`
}

// ListMappings lists the org's group → role rules (owners and admins).
func (s *Service) ListMappings(ctx context.Context, actor provisioning.Actor, orgID string) ([]provisioning.GroupRoleMapping, error) {
	var out []provisioning.GroupRoleMapping
	err := s.door().View(ctx, func(tx provisioning.DirectoryTxn) error {
		if _, err := s.core.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "manage the SCIM directory"); err != nil {
			return err
		}
		var err error
		out, err = tx.ListGroupRoleMappings(ctx, orgID)
		return err
	})
	return out, err
}

// CreateMapping adds a group → role rule. Roles are admin, member or viewer; only owners may map
// a group to admin. The rule applies the next time the group's membership changes.
func (s *Service) CreateMapping(ctx context.Context, actor provisioning.Actor, orgID string, in MappingInput) (provisioning.GroupRoleMapping, error) {
	in.Group = strings.TrimSpace(in.Group)
	if in.Group == "" || len(in.Group) > 256 {
		return provisioning.GroupRoleMapping{}, provisioning.Invalidf("group", "group must be 1-256 characters: a group's displayName, id or externalId")
	}
	role, err := provisioning.ParseRole(string(in.Role))
	if err != nil {
		return provisioning.GroupRoleMapping{}, err
	}
	if role == provisioning.RoleOwner {
		return provisioning.GroupRoleMapping{}, provisioning.Invalidf("role", "a directory group cannot make people owners: use admin, member or viewer")
	}
	m := provisioning.GroupRoleMapping{ID: provisioning.NewID(), OrgID: orgID, Group: in.Group, Role: role, CreatedAt: s.core.Now()}
	err = s.door().Update(ctx, func(tx provisioning.DirectoryTxn) error {
		a, err := s.core.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "manage the SCIM directory")
		if err != nil {
			return err
		}
		if role == provisioning.RoleAdmin && a.Kind != provisioning.ActorOperator && a.Role != provisioning.RoleOwner {
			return provisioning.Errorf(provisioning.CodeForbidden, "only owners can map a group to admin")
		}
		if err := tx.PutGroupRoleMapping(ctx, m); err != nil {
			return err
		}
		return s.core.Record(ctx, tx, provisioning.Change{Actor: a, OrgID: orgID, Entrance: provisioning.EntranceSCIM,
			Action: "scim_mapping.created", TargetType: "scim_mapping", TargetID: m.ID, After: m})
	})
	return m, err
}

// DeleteMapping deletes a group → role rule (owners and admins; admin rules: owners).
func (s *Service) DeleteMapping(ctx context.Context, actor provisioning.Actor, orgID, id string) error {
	return s.door().Update(ctx, func(tx provisioning.DirectoryTxn) error {
		a, err := s.core.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "manage the SCIM directory")
		if err != nil {
			return err
		}
		all, err := tx.ListGroupRoleMappings(ctx, orgID)
		if err != nil {
			return err
		}
		for _, m := range all {
			if m.ID == id && m.Role == provisioning.RoleAdmin && a.Kind != provisioning.ActorOperator && a.Role != provisioning.RoleOwner {
				return provisioning.Errorf(provisioning.CodeForbidden, "only owners can delete a rule that maps a group to admin")
			}
		}
		if err := tx.DeleteGroupRoleMapping(ctx, orgID, id); err != nil {
			return err
		}
		return s.core.Record(ctx, tx, provisioning.Change{Actor: a, OrgID: orgID, Entrance: provisioning.EntranceSCIM,
			Action: "scim_mapping.deleted", TargetType: "scim_mapping", TargetID: id})
	})
}

// mappedRole is the highest role the rules give to members of groups, and whether any applied.
func mappedRole(rules []provisioning.GroupRoleMapping, groups []provisioning.DirectoryGroup) (provisioning.Role, bool) {
	var best provisioning.Role
	for _, g := range groups {
		if r, ok := groupRole(rules, g); ok && r.Rank() > best.Rank() {
			best = r
		}
	}
	return best, best != ""
}

// groupRole is the role the rules give a group's members, if any rule matches it.
func groupRole(rules []provisioning.GroupRoleMapping, g provisioning.DirectoryGroup) (provisioning.Role, bool) {
	var best provisioning.Role
	for _, m := range rules {
		if strings.EqualFold(m.Group, g.DisplayName) || m.Group == g.ID || (g.ExternalID != "" && strings.EqualFold(m.Group, g.ExternalID)) {
			if m.Role.Rank() > best.Rank() {
				best = m.Role
			}
		}
	}
	return best, best != ""
}
