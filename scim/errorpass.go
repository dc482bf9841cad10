package scim

import (
	"context"
	"net/http"
	"sync"

	"github.com/elimity-com/scim/errors"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// The library answers 500 for an error status RFC 7644 does not list for the method (503 when
// the database is away, 429, 410, a 409 on GET). scimError notes the error it handed the
// library in the request's context; errorPass then answers that error, with its own status and
// Retry-After, in place of the library's 500.

type passKey struct{}

// passedError is the last error scimError handed the library in one request.
type passedError struct {
	mu   sync.Mutex
	err  errors.ScimError
	code provisioning.Code
	set  bool
}

func (p *passedError) note(e errors.ScimError, code provisioning.Code) {
	p.mu.Lock()
	p.err, p.code, p.set = e, code, true
	p.mu.Unlock()
}

func (p *passedError) get() (errors.ScimError, provisioning.Code, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err, p.code, p.set
}

// noteError records e for errorPass when ctx carries a holder.
func noteError(ctx context.Context, e errors.ScimError, code provisioning.Code) {
	if p, ok := ctx.Value(passKey{}).(*passedError); ok {
		p.note(e, code)
	}
}

// errorPass is the response writer the library writes to: a 500 while a noted error says
// otherwise is replaced by that error's document.
type errorPass struct {
	http.ResponseWriter
	passed   *passedError
	replaced bool
}

func withErrorPass(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
	p := &passedError{}
	return &errorPass{ResponseWriter: w, passed: p}, r.WithContext(context.WithValue(r.Context(), passKey{}, p))
}

func (e *errorPass) WriteHeader(status int) {
	if status == http.StatusInternalServerError {
		if noted, code, ok := e.passed.get(); ok && noted.Status != http.StatusInternalServerError {
			e.replaced = true
			httperr.SetRetryAfter(e.Header(), code)
			writeError(e.ResponseWriter, noted)
			return
		}
	}
	e.ResponseWriter.WriteHeader(status)
}

func (e *errorPass) Write(b []byte) (int, error) {
	if e.replaced {
		return len(b), nil
	}
	return e.ResponseWriter.Write(b)
}
