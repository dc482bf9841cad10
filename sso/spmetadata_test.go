package sso_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// TestSPMetadataValidity: the SP metadata carries no validUntil (SimpleSAMLphp would expire
// the SP with it) and asks IdPs to refetch daily (cacheDuration PT24H), on any date.
func TestSPMetadataValidity(t *testing.T) {
	s := newSAMLEnv(t, onSQLite, nil, true)
	for _, later := range []time.Duration{0, 400 * 24 * time.Hour} {
		s.h.Clock.Advance(later)
		raw := fetch(t, s.conn.SAML.MetadataURL)
		if strings.Contains(raw, "validUntil") {
			t.Fatalf("the SP metadata has a validUntil:\n%s", raw)
		}
		var root struct {
			XMLName       xml.Name
			CacheDuration string `xml:"cacheDuration,attr"`
		}
		if err := xml.Unmarshal([]byte(raw), &root); err != nil || root.XMLName.Local != "EntityDescriptor" || root.CacheDuration != "PT24H" {
			t.Fatalf("SP metadata root %+v (%v), want an EntityDescriptor with cacheDuration PT24H", root, err)
		}
	}
}
