package provisioning

import (
	"context"
	"time"
)

// MemberIdentity is a member's link to one of the org's SSO connections: the subject the IdP
// signs them in as.
type MemberIdentity struct {
	ConnectionID   string    `json:"connectionId"`
	ConnectionName string    `json:"connectionName"`
	Protocol       string    `json:"protocol"`
	Subject        string    `json:"subject"`
	LinkedAt       time.Time `json:"linkedAt"`
}

// ConnectionIssuer is the Identity.Issuer of an SSO connection's subjects: "saml:<id>" or
// "oidc:<id>".
func ConnectionIssuer(protocol, connectionID string) string { return protocol + ":" + connectionID }

// MemberIdentities lists the identities a member has linked at the org's own SSO connections,
// never those at other orgs' IdPs. Owners and admins, or the member themself.
func (s *Service) MemberIdentities(ctx context.Context, actor Actor, orgID, membershipID string) ([]MemberIdentity, error) {
	out := []MemberIdentity{}
	err := s.store.View(ctx, func(tx StoreTx) error {
		_, err := needSelfOrAdmin(ctx, tx, actor, orgID, membershipID, "see other members")
		if err != nil {
			return err
		}
		m, err := tx.GetMembershipByID(ctx, orgID, membershipID)
		if err != nil {
			return err
		}
		conns, err := tx.ListSSOConnections(ctx, orgID)
		if err != nil {
			return err
		}
		for _, conn := range conns {
			id, err := tx.FindUserIdentity(ctx, m.UserID, ConnectionIssuer(conn.Protocol, conn.ID))
			if IsCode(err, CodeNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, MemberIdentity{ConnectionID: conn.ID, ConnectionName: conn.Name,
				Protocol: conn.Protocol, Subject: id.Subject, LinkedAt: id.LinkedAt})
		}
		return nil
	})
	return out, err
}
