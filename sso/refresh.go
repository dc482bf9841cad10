package sso

import (
	"context"
	"encoding/xml"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// IdP metadata refresh and certificate watch.
const (
	// DefaultMetadataRefresh is how often a metadata URL is fetched again.
	DefaultMetadataRefresh = 12 * time.Hour
	// signatureRefreshEvery bounds the refreshes a signature failure may trigger, per connection.
	signatureRefreshEvery = 5 * time.Minute
	// certExpiryWarning is how long before an IdP certificate expires the connection warns.
	certExpiryWarning = 30 * 24 * time.Hour
)

// RefreshMetadata is the periodic job over every SAML connection: metadata given by URL is
// fetched again once it is older than the refresh interval, so an IdP's certificate rollover
// (new and old certificates published together, then the old one dropped) reaches Rollcall
// without anyone editing the connection; and certificates about to expire are audited once.
// It returns how many connections changed.
func (s *Service) RefreshMetadata(ctx context.Context) (int64, error) {
	var rows []provisioning.SSOConnection
	if err := s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		var err error
		rows, err = tx.ListSSOConnectionsByProtocol(ctx, ProtocolSAML)
		return err
	}); err != nil {
		return 0, err
	}
	var changed int64
	for _, row := range rows {
		c, err := decodeConnection(row)
		if err != nil {
			s.logger.ErrorContext(ctx, "sso metadata refresh: bad connection", "connection", row.ID, "err", err)
			continue
		}
		due := s.refreshDue(c, s.metadataRefresh)
		ok, err := s.watchConnection(ctx, c, due, "scheduled refresh")
		if err != nil {
			httperr.LogFailure(ctx, s.logger, "sso metadata refresh failed", err, "connection", c.ID)
		}
		if ok {
			changed++
		}
	}
	return changed, nil
}

// refreshAfterSignatureFailure fetches c's metadata again after a response failed its checks,
// at most every few minutes per connection, and returns the refreshed connection when its IdP
// metadata changed (the IdP may have rolled its certificate over).
func (s *Service) refreshAfterSignatureFailure(ctx context.Context, c connection) (connection, bool) {
	if !s.refreshDue(c, signatureRefreshEvery) {
		return c, false
	}
	changed, err := s.watchConnection(ctx, c, true, "refresh after a signature failure")
	if err != nil || !changed {
		return c, false
	}
	var fresh connection
	err = s.svc.SSODoor().View(ctx, func(tx provisioning.SSOTxn) error {
		var err error
		fresh, err = getConnection(ctx, tx, c.OrgID, c.ID)
		return err
	})
	return fresh, err == nil
}

// refreshDue reports whether c has a metadata URL last fetched at least every ago.
func (s *Service) refreshDue(c connection, every time.Duration) bool {
	sc := c.cfg.SAML
	if sc == nil || sc.IDPMetadataURL == "" {
		return false
	}
	return sc.MetadataCheckedAt == nil || !s.svc.Now().Before(sc.MetadataCheckedAt.Add(every))
}

// watchConnection fetches c's metadata when fetch is set, stores it when it changed (audited
// as sso.metadata_refreshed, or sso.metadata_refresh_failed when a fetch starts failing), and
// audits certificates that will soon expire (sso.idp_certificate_expiring, once each). It
// reports whether the IdP metadata changed. A connection edited meanwhile is left for the next
// round.
func (s *Service) watchConnection(ctx context.Context, c connection, fetch bool, why string) (bool, error) {
	var md *saml.EntityDescriptor
	var fetchErr error
	if fetch {
		md, fetchErr = s.fetchMetadata(ctx, c.cfg.SAML.IDPMetadataURL)
	}
	changed := false
	err := s.svc.SSODoor().Update(ctx, func(tx provisioning.SSOTxn) error {
		current, err := getConnection(ctx, tx, c.OrgID, c.ID)
		if err != nil || !current.UpdatedAt.Equal(c.UpdatedAt) {
			return err
		}
		next := current.clone()
		now := s.svc.Now()
		sc := next.cfg.SAML
		var changes []provisioning.Change
		if fetch {
			sc.MetadataCheckedAt = &now
			switch {
			case fetchErr != nil:
				if sc.MetadataError == "" {
					changes = append(changes, s.metadataChange(next, "sso.metadata_refresh_failed", nil, nil,
						why+": "+provisioning.ErrorMessage(fetchErr)))
				}
				sc.MetadataError = provisioning.ErrorMessage(fetchErr)
			default:
				sc.MetadataError = ""
				raw, err := xml.Marshal(md)
				if err != nil {
					return provisioning.Internal(err)
				}
				before, after := metadataSummary(sc.IDPMetadataXML), metadataSummary(string(raw))
				if !reflect.DeepEqual(before, after) {
					sc.IDPMetadataXML, sc.IDPEntityID = string(raw), md.EntityID
					next.UpdatedAt, changed = now, true
					changes = append(changes, s.metadataChange(next, "sso.metadata_refreshed", before, after, why))
				}
			}
		}
		changes = append(changes, s.expiryWarnings(next, now)...)
		if !fetch && len(changes) == 0 {
			return nil
		}
		if err := encodeConfig(&next); err != nil {
			return err
		}
		if err := tx.UpdateSSOConnection(ctx, next.SSOConnection); err != nil {
			return err
		}
		for _, ch := range changes {
			if err := s.svc.Record(ctx, tx, ch); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
}

// metadataChange is an audit event about c's IdP metadata, caused by its IdP.
func (s *Service) metadataChange(c connection, action string, before, after any, reason string) provisioning.Change {
	return provisioning.Change{Actor: provisioning.System(), OrgID: c.OrgID, Entrance: c.entrance(), Action: action,
		TargetType: "sso_connection", TargetID: c.ID, Before: before, After: after, Reason: truncateReason(reason)}
}

// expiryWarnings returns one audit event for each IdP certificate of c that expires within the
// warning window and was not warned about yet, and marks it warned in c.
func (s *Service) expiryWarnings(c connection, now time.Time) []provisioning.Change {
	var out []provisioning.Change
	sc := c.cfg.SAML
	for _, cert := range idpCertificates(sc.IDPMetadataXML) {
		if cert.NotAfter.After(now.Add(certExpiryWarning)) || slices.Contains(sc.ExpiryWarned, cert.FingerprintSHA256) {
			continue
		}
		sc.ExpiryWarned = append(sc.ExpiryWarned, cert.FingerprintSHA256)
		out = append(out, s.metadataChange(c, "sso.idp_certificate_expiring", nil, cert,
			"the identity provider's signing certificate "+cert.FingerprintSHA256+" expires on "+cert.NotAfter.UTC().Format(time.RFC3339)+
				": the IdP must publish a new one (a metadata URL is refreshed on its own; otherwise update the connection)"))
	}
	return out
}

// CertificateStatus is an IdP signing certificate as the connection trusts it.
type CertificateStatus struct {
	FingerprintSHA256 string    `json:"fingerprintSha256"`
	Subject           string    `json:"subject"`
	NotAfter          time.Time `json:"notAfter"`
}

// idpCertificates lists the signing certificates of stored IdP metadata.
func idpCertificates(metadataXML string) []CertificateStatus {
	var md saml.EntityDescriptor
	if err := xml.Unmarshal([]byte(metadataXML), &md); err != nil {
		return nil
	}
	var out []CertificateStatus
	for _, c := range signingCerts(&md) {
		out = append(out, CertificateStatus{FingerprintSHA256: certificateOf(c).FingerprintSHA256,
			Subject: c.Subject.String(), NotAfter: c.NotAfter})
	}
	return out
}

// metadataSummary is what Rollcall uses of IdP metadata, and what the audit log keeps of it:
// entity ID, SSO URL and the signing certificates, never the document itself. Metadata whose
// summary is unchanged (a new validUntil, say) is not stored again.
func metadataSummary(metadataXML string) map[string]any {
	var md saml.EntityDescriptor
	if err := xml.Unmarshal([]byte(metadataXML), &md); err != nil {
		return nil
	}
	_, location := ssoEndpoint(&md)
	return map[string]any{"entityId": md.EntityID, "ssoUrl": location, "certificates": idpCertificates(metadataXML)}
}

// certificateWarnings says which of c's IdP certificates have expired or expire soon.
func (s *Service) certificateWarnings(c connection) []string {
	if c.cfg.SAML == nil {
		return nil
	}
	now := s.svc.Now()
	var out []string
	for _, cert := range idpCertificates(c.cfg.SAML.IDPMetadataXML) {
		when := cert.NotAfter.UTC().Format("2 January 2006")
		switch {
		case !now.Before(cert.NotAfter):
			out = append(out, "The identity provider's signing certificate "+shortFingerprint(cert)+" expired on "+when+".")
		case cert.NotAfter.Before(now.Add(certExpiryWarning)):
			out = append(out, "The identity provider's signing certificate "+shortFingerprint(cert)+" expires on "+when+": make sure the IdP publishes its successor.")
		}
	}
	if msg := c.cfg.SAML.MetadataError; msg != "" {
		out = append(out, "The IdP metadata URL could not be refreshed: "+msg)
	}
	return out
}

func shortFingerprint(c CertificateStatus) string {
	return strings.ToLower(c.FingerprintSHA256[:min(16, len(c.FingerprintSHA256))])
}
