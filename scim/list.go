package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/errors"

	"github.com/rollcall/rollcall/provisioning"
)

func actorFrom(ctx context.Context) provisioning.Actor {
	a, _ := ctx.Value(actorKey{}).(provisioning.Actor)
	return a
}

// list serves GET /Users and GET /Groups: startIndex/count paging, filter translated to SQL (never
// evaluated over the org in memory), totalResults counted in SQL.
func (s *Service) list(w http.ResponseWriter, r *http.Request, path string) {
	q := r.URL.Query()
	start, okStart := intParam(q, "startIndex", 1)
	count, okCount := intParam(q, "count", s.opts.MaxResults)
	if !okStart || !okCount {
		writeError(w, errors.ScimErrorBadRequest("startIndex and count must be integers"))
		return
	}
	count = min(max(count, 0), s.opts.MaxResults)
	start = max(start, 1)
	core, resourceType := userSchema, "User"
	if path == "/Groups" {
		core, resourceType = groupSchema, "Group"
	}
	var expr *provisioning.DirectoryFilter
	if raw := strings.TrimSpace(q.Get("filter")); raw != "" {
		parsed, err := parseFilter(raw)
		if err == nil {
			expr, err = translate(parsed, core)
		}
		if err != nil {
			writeError(w, invalidFilter(err))
			return
		}
	}
	var resources []scim.Resource
	var total int
	var err error
	if path == "/Groups" {
		resources, total, err = s.listGroups(r, expr, start, count)
	} else {
		var list []provisioning.DirectoryUser
		list, total, err = s.listUsers(r.Context(), expr, start, count)
		for _, u := range list {
			res := userResource(u)
			project(r, res.Attributes)
			resources = append(resources, res)
		}
	}
	if err != nil {
		if provisioning.IsCode(err, provisioning.CodeInvalid) {
			writeError(w, invalidFilter(err))
			return
		}
		se, _ := s.scimError(r.Context(), err).(errors.ScimError)
		writeError(w, se)
		return
	}
	out := make([]any, 0, len(resources))
	for _, res := range resources {
		out = append(out, render(res, resourceType))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":      []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		"totalResults": total, "startIndex": start, "itemsPerPage": len(out), "Resources": out,
	})
}

func invalidFilter(err error) errors.ScimError {
	detail := "the filter is not valid SCIM filter syntax"
	if provisioning.IsCode(err, provisioning.CodeInvalid) {
		detail = provisioning.ErrorMessage(err)
	}
	return scimStatus(http.StatusBadRequest, errors.ScimTypeInvalidFilter, detail)
}

func intParam(q url.Values, name string, def int) (int, bool) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// render is what the library does to a single resource: id, externalId, schemas and meta.
func render(res scim.Resource, resourceType string) map[string]any {
	out := map[string]any(res.Attributes)
	out["id"] = res.ID
	if res.ExternalID.Present() {
		out["externalId"] = res.ExternalID.Value()
	}
	schemas := []string{groupSchema}
	endpoint := "Groups/"
	if resourceType == "User" {
		schemas, endpoint = []string{userSchema, enterpriseSchema}, "Users/"
	}
	out["schemas"] = schemas
	meta := map[string]any{"resourceType": resourceType, "location": endpoint + url.PathEscape(res.ID), "version": res.Meta.Version}
	if res.Meta.Created != nil {
		meta["created"] = res.Meta.Created.Format(time.RFC3339)
		meta["lastModified"] = res.Meta.LastModified.Format(time.RFC3339)
	}
	out["meta"] = meta
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serviceProviderConfig says exactly what this server supports.
func (s *Service) serviceProviderConfig(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": s.opts.MaxResults},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": true},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "Directory token", "primary": true,
			"description": "A scim_… directory token created in Rollcall (API or CLI), sent as Authorization: Bearer.",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": "ServiceProviderConfig"},
	})
}

// normalizeRequest rewrites what Entra ID sends in shapes the schema refuses, before the schema
// check sees it: "True"/"False" strings become booleans for active and primary, and a manager
// given as a bare id string becomes {"value": id}, including PATCH operations whose path
// targets them. Without it a whole PATCH (say, manager plus active=false) would be refused.
func normalizeRequest(raw []byte) []byte {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if len(raw) == 0 || dec.Decode(&v) != nil {
		return raw
	}
	changed := false
	var walk func(x any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case map[string]any:
			for k, val := range t {
				if fixed, ok := normalizeValue(lastSegment(k), val); ok {
					t[k], changed = fixed, true
					continue
				}
				t[k] = walk(val)
			}
			if path, ok := t["path"].(string); ok {
				if fixed, ok := normalizeValue(lastSegment(path), t["value"]); ok {
					t["value"], changed = fixed, true
				}
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		}
		return x
	}
	walk(v)
	if !changed {
		return raw
	}
	out, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return out
}

// normalizeValue rewrites the value of attribute name when Entra sends it in a refused shape.
func normalizeValue(name string, val any) (any, bool) {
	if isBoolAttr(name) {
		b, ok := stringBool(val)
		return b, ok
	}
	if id, ok := val.(string); ok && strings.EqualFold(name, "manager") {
		return map[string]any{"value": id}, true
	}
	return nil, false
}

func isBoolAttr(k string) bool {
	return strings.EqualFold(k, "active") || strings.EqualFold(k, "primary")
}

func lastSegment(path string) string {
	i := strings.LastIndexAny(path, ".:]")
	return path[i+1:]
}

func stringBool(v any) (bool, bool) {
	s, ok := v.(string)
	if !ok {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}
