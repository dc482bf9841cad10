package sso

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// maxConnectionsPerOrg bounds how many connections one org may have.
const maxConnectionsPerOrg = 20

const manageWhat = "manage single sign-on"

// Create adds a connection to an org (owners and admins; settings that grant admin or trust
// the IdP's emails need an owner).
func (s *Service) Create(ctx context.Context, actor provisioning.Actor, orgID string, in ConnectionInput) (Connection, error) {
	protocol := strings.ToLower(strings.TrimSpace(in.Protocol))
	if protocol != ProtocolSAML && protocol != ProtocolOIDC {
		return Connection{}, provisioning.Invalidf("protocol", "protocol must be saml or oidc")
	}
	if err := rejectOther(in, protocol); err != nil {
		return Connection{}, err
	}
	// Authorize before anything else, so that only admins make Rollcall fetch a metadata URL.
	if err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		_, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, manageWhat)
		return err
	}); err != nil {
		return Connection{}, err
	}
	now := s.svc.Now()
	c := connection{SSOConnection: provisioning.SSOConnection{ID: provisioning.NewID(), OrgID: orgID,
		Protocol: protocol, Name: strings.ToUpper(protocol), Enabled: true, CreatedAt: now, UpdatedAt: now},
		cfg: Config{JIT: true}}
	if protocol == ProtocolSAML {
		c.cfg.SAML = &SAMLConfig{}
	} else {
		c.cfg.OIDC = &OIDCConfig{}
	}
	if err := s.apply(ctx, in, &c); err != nil {
		return Connection{}, err
	}
	if err := s.sealSecret(ctx, in, &c); err != nil {
		return Connection{}, err
	}
	err := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		if err := s.authorize(ctx, tx, actor, orgID, Config{}, c.cfg); err != nil {
			return err
		}
		list, err := tx.ListSSOConnections(ctx, orgID)
		if err != nil {
			return err
		}
		if len(list) >= maxConnectionsPerOrg {
			return provisioning.Errorf(provisioning.CodeConflict, "an org may have at most %d SSO connections", maxConnectionsPerOrg)
		}
		if err := encodeConfig(&c); err != nil {
			return err
		}
		if err := tx.InsertSSOConnection(ctx, c.SSOConnection); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "sso.connection_created", nil, &c)
	})
	if err != nil {
		return Connection{}, err
	}
	return s.view(c), nil
}

// apply validates in and applies it to c.
func (s *Service) apply(ctx context.Context, in ConnectionInput, c *connection) error {
	if err := s.applyCommon(in, c); err != nil {
		return err
	}
	if c.Protocol == ProtocolSAML {
		return s.applySAML(ctx, in, c)
	}
	return s.applyOIDC(ctx, in, c)
}

// sealSecret seals a new client secret (before any transaction: sealing may read settings).
func (s *Service) sealSecret(ctx context.Context, in ConnectionInput, c *connection) error {
	if in.ClientSecret == nil {
		return nil
	}
	if *in.ClientSecret == "" {
		c.Secret = nil
		return nil
	}
	sealed, err := s.svc.Seal(ctx, []byte(*in.ClientSecret), c.ID)
	c.Secret = sealed
	return err
}

// encodeConfig writes c's settings into its row.
func encodeConfig(c *connection) error {
	raw, err := json.Marshal(c.cfg)
	if err != nil {
		return provisioning.Internal(err)
	}
	c.Config = raw
	return nil
}

// authorize requires an owner or admin, and an owner when the change involves owner-only settings.
func (s *Service) authorize(ctx context.Context, tx provisioning.SSOTxn, actor provisioning.Actor, orgID string, before, after Config) error {
	a, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, manageWhat)
	if err != nil {
		return err
	}
	if a.IsOperator() || a.Role == provisioning.RoleOwner {
		return nil
	}
	for _, c := range []Config{before, after} {
		if what := ownerOnly(c); what != "" {
			return provisioning.Errorf(provisioning.CodeForbidden, "only owners can change a connection with %s", what)
		}
	}
	return nil
}

// List returns an org's connections (owners and admins).
func (s *Service) List(ctx context.Context, actor provisioning.Actor, orgID string) ([]Connection, error) {
	out := []Connection{}
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, manageWhat); err != nil {
			return err
		}
		list, err := tx.ListSSOConnections(ctx, orgID)
		if err != nil {
			return err
		}
		for _, row := range list {
			c, err := decodeConnection(row)
			if err != nil {
				return err
			}
			out = append(out, s.view(c))
		}
		return nil
	})
	return out, err
}

// Get returns one of an org's connections (owners and admins).
func (s *Service) Get(ctx context.Context, actor provisioning.Actor, orgID, id string) (Connection, error) {
	var c connection
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, manageWhat); err != nil {
			return err
		}
		var err error
		c, err = getConnection(ctx, tx, orgID, id)
		return err
	})
	return s.view(c), err
}

// getConnection reads a connection of org; another org's connection is not found.
func getConnection(ctx context.Context, tx provisioning.SSOTxn, orgID, id string) (connection, error) {
	row, err := tx.GetSSOConnection(ctx, id)
	if err == nil && orgID != "" && row.OrgID != orgID {
		err = provisioning.Errorf(provisioning.CodeNotFound, "sso connection not found")
	}
	if err != nil {
		return connection{}, err
	}
	return decodeConnection(row)
}

// Update changes a connection; absent fields keep their value.
func (s *Service) Update(ctx context.Context, actor provisioning.Actor, orgID, id string, in ConnectionInput) (Connection, error) {
	if in.Protocol != "" {
		return Connection{}, provisioning.Invalidf("protocol", "the protocol of a connection cannot change: create a new connection")
	}
	var before connection
	err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		if _, err := s.svc.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, manageWhat); err != nil {
			return err
		}
		var err error
		before, err = getConnection(ctx, tx, orgID, id)
		return err
	})
	if err != nil {
		return Connection{}, err
	}
	if err := rejectOther(in, before.Protocol); err != nil {
		return Connection{}, err
	}
	after := before.clone()
	if err := s.apply(ctx, in, &after); err != nil {
		return Connection{}, err
	}
	if err := s.sealSecret(ctx, in, &after); err != nil {
		return Connection{}, err
	}
	after.UpdatedAt = s.svc.Now()
	err = s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		current, err := getConnection(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if !current.UpdatedAt.Equal(before.UpdatedAt) {
			return provisioning.Errorf(provisioning.CodeConflict, "the connection changed while you edited it: read it again and retry")
		}
		if err := s.authorize(ctx, tx, actor, orgID, before.cfg, after.cfg); err != nil {
			return err
		}
		if err := encodeConfig(&after); err != nil {
			return err
		}
		if err := tx.UpdateSSOConnection(ctx, after.SSOConnection); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "sso.connection_updated", &before, &after)
	})
	if err != nil {
		return Connection{}, err
	}
	return s.view(after), nil
}

// Delete removes a connection. Members who joined through it stay; their linked identities
// simply no longer match anything.
func (s *Service) Delete(ctx context.Context, actor provisioning.Actor, orgID, id string) error {
	return s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		c, err := getConnection(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, tx, actor, orgID, c.cfg, Config{}); err != nil {
			return err
		}
		if err := tx.DeleteSSOConnection(ctx, orgID, id); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "sso.connection_deleted", &c, nil)
	})
}

// clone copies c deeply enough that applying input to the copy leaves c alone.
func (c connection) clone() connection {
	out := c
	raw, _ := json.Marshal(c.cfg)
	out.cfg = Config{}
	_ = json.Unmarshal(raw, &out.cfg)
	return out
}

// snapshot is what the audit log keeps of a connection: settings, never the secret.
type snapshot struct {
	Name     string `json:"name"`
	Protocol string `json:"protocol"`
	Enabled  bool   `json:"enabled"`
	Config
}

func (s *Service) record(ctx context.Context, tx provisioning.SSOTxn, actor provisioning.Actor, action string, before, after *connection) error {
	target := after
	if target == nil {
		target = before
	}
	snap := func(c *connection) any {
		if c == nil {
			return nil
		}
		cfg := c.cfg
		if cfg.SAML != nil {
			sc := *cfg.SAML
			sc.IDPMetadataXML = ""
			cfg.SAML = &sc
		}
		return snapshot{Name: c.Name, Protocol: c.Protocol, Enabled: c.Enabled, Config: cfg}
	}
	return s.svc.Record(ctx, tx, provisioning.Change{
		Actor: actor, OrgID: target.OrgID, Entrance: target.entrance(), Action: action,
		TargetType: "sso_connection", TargetID: target.ID, Before: snap(before), After: snap(after),
	})
}
