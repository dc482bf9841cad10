package scim

import (
	"encoding/json"
	"net/http"

	"github.com/elimity-com/scim"
)

// discovery serves /Schemas and /ResourceTypes as the library renders them, less the optional
// attributes it renders empty (a schema's "description": "", a resource type's
// "schemaExtensions": []): RFC 7643 lets a server omit what has no value, and strict clients
// refuse the whole document over an empty one.
func discovery(w http.ResponseWriter, r *http.Request, server scim.Server) {
	rec := &statusRecorder{header: http.Header{}}
	server.ServeHTTP(rec, r)
	if v, err := decodeJSON(rec.body.Bytes()); err == nil && rec.status == http.StatusOK {
		if b, err := json.Marshal(omitEmpty(v)); err == nil {
			rec.body.Reset()
			rec.body.Write(b)
			rec.header.Del("Content-Length")
		}
	}
	rec.copyTo(w)
}

// keepEmpty are the members a SCIM document carries even empty: RFC 7643 requires them.
var keepEmpty = map[string]bool{"schemas": true, "Resources": true, "attributes": true}

// omitEmpty drops, at any depth, the object members whose value is null, "" or [] (after their
// own empty members are dropped), but those in keepEmpty.
func omitEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			x = omitEmpty(x)
			if isEmpty(x) && !keepEmpty[k] {
				delete(v, k)
				continue
			}
			v[k] = x
		}
	case []any:
		for i, x := range v {
			v[i] = omitEmpty(x)
		}
	}
	return v
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	}
	return false
}
