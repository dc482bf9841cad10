package scim

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/elimity-com/scim"
)

// patch hands a PATCH to the library, which parses and validates it. Only a body answered 400
// is looked at again, by patchCompat, for the two shapes IdPs send that the library refuses
// before any handler runs: it is answered as an empty PATCH, or given to the library once more
// with the manager fixed. Retrying is safe: a 400 wrote nothing (the library validates before
// the handler, and a handler's error rolls its transaction back).
func patch(w http.ResponseWriter, r *http.Request, server scim.Server, raw []byte) {
	first := &statusRecorder{header: http.Header{}}
	server.ServeHTTP(first, r)
	if first.status == http.StatusBadRequest {
		fixed, empty := patchCompat(raw)
		switch {
		case empty:
			emptyPatch(w, r, server)
			return
		case fixed != nil:
			r.Body = io.NopCloser(bytes.NewReader(fixed))
			server.ServeHTTP(w, r)
			return
		}
	}
	first.copyTo(w)
}

// patchCompat finds, in a PATCH body the library refused, the two shapes IdPs send that it
// refuses before any handler runs:
//   - Okta's PATCH without operations ("Operations": [], where RFC 7644 3.5.2 wants one or
//     more): empty is true.
//   - Entra's enterprise manager as a bare id string, with a path (…:manager) or inside a
//     path-less value, where the schema says {"value": id}. Refused, it would take the whole
//     PATCH with it (say, manager plus active=false) and Entra would retry it forever; fixed is
//     the body with {"value": id} instead, nil when nothing needed it.
func patchCompat(raw []byte) (fixed []byte, empty bool) {
	v, err := decodeJSON(raw)
	body, _ := v.(map[string]any)
	if err != nil || body == nil {
		return nil, false
	}
	rawOps, _ := document(body).get("Operations")
	ops, isList := rawOps.([]any)
	if isList && len(ops) == 0 {
		return nil, true
	}
	changed := false
	for _, op := range ops {
		o, _ := op.(map[string]any)
		k, ok := document(o).key("value")
		if !ok {
			continue
		}
		if v, isFixed := managerAsObject(o[k], document(o).str("path")); isFixed {
			o[k], changed = v, true
		}
	}
	if !changed {
		return nil, false
	}
	return document(body).marshal(), false
}

// managerAsObject turns v, the value of the attribute path name, into {"value": v} when it is a
// manager given as a string, looking into objects (path-less values, extension objects).
func managerAsObject(v any, name string) (any, bool) {
	switch t := v.(type) {
	case string:
		if strings.EqualFold(lastSegment(name), "manager") {
			return map[string]any{"value": t}, true
		}
	case map[string]any:
		changed := false
		for k, x := range t {
			if fixed, ok := managerAsObject(x, k); ok {
				t[k], changed = fixed, true
			}
		}
		return t, changed
	}
	return v, false
}

// lastSegment is the attribute name a path ends with: manager for
// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.
func lastSegment(path string) string {
	i := strings.LastIndexAny(path, ".:]")
	return path[i+1:]
}

// emptyPatch answers a PATCH without operations: 204 when the resource exists, nothing written;
// otherwise the library's answer to reading it (404).
func emptyPatch(w http.ResponseWriter, r *http.Request, server scim.Server) {
	get := r.Clone(r.Context())
	get.Method, get.Body = http.MethodGet, http.NoBody
	get.URL.RawQuery = "attributes=id"
	rec := &statusRecorder{header: http.Header{}}
	server.ServeHTTP(rec, get)
	if rec.status != http.StatusOK {
		rec.copyTo(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// statusRecorder keeps a response of the library's, to look at before it is sent.
type statusRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *statusRecorder) Header() http.Header { return r.header }
func (r *statusRecorder) WriteHeader(s int)   { r.status = s }
func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// copyTo sends the kept response.
func (r *statusRecorder) copyTo(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(max(r.status, http.StatusOK))
	_, _ = w.Write(r.body.Bytes())
}
