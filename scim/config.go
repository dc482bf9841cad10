package scim

import (
	"encoding/json"
	"net/http"
)

// serviceProviderConfig says exactly what this server supports. It is served here, not by the
// library, because the library's document always says etag is unsupported, and it is: every
// resource carries meta.version and an ETag header, and If-Match is honoured. Its maxResults is
// the page limit the library applies (Options.MaxResults). Optional attributes without a value
// (documentationUri) are left out: a strict client refuses "" where a URI belongs.
func (s *Service) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, scimStatus(http.StatusMethodNotAllowed, "", "read the service provider configuration with GET"))
		return
	}
	w.Header().Set("Content-Type", "application/scim+json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"schemas":        []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"patch":          map[string]any{"supported": true},
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": s.opts.MaxResults},
		"changePassword": map[string]any{"supported": false},
		"sort":           map[string]any{"supported": false},
		"etag":           map[string]any{"supported": true},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "Directory token", "primary": true,
			"description": "A scim_… directory token created in Rollcall (API or CLI), sent as Authorization: Bearer.",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": "ServiceProviderConfig"},
	})
}
