package scim

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rollcall/rollcall/provisioning"
)

// The directory's recent activity: the last requests of each org's directory (method, redacted
// path, status, the error's scimType, the token, the time), so that its admins see what their
// IdP did. A request is noted in memory when it has been answered and written to the org's
// ring (provisioning.DirectoryRequestsKept rows) in one batch per activityDelay with the
// requests of every org, so SCIM answers never wait for it. A crash loses at most the last
// activityDelay of activity; a console on another instance sees it that much later.

// Bounds of the recorder.
const (
	// activityDelay is how long a noted request waits for its batch to be written.
	activityDelay = 500 * time.Millisecond
	// maxPendingActivity bounds the requests waiting; past it new ones are dropped.
	maxPendingActivity = 5000
	// maxActivityPath bounds a recorded path; maxErrorCapture how much of an error answer is
	// read for its scimType.
	maxActivityPath   = 200
	maxErrorCapture   = 4 << 10
	activityFlushTime = 5 * time.Second
)

type activityKey struct{}

// activity is one request being answered: the response writer the handler writes to, which
// sees the status and (for an error) the scimType, and the token authenticate found.
type activity struct {
	http.ResponseWriter
	// at is when the request came, on the core's clock; start times its answer.
	at, start    time.Time
	method, path string
	status       int
	errBody      []byte
	orgID, token string
}

// watch wraps w to note what the request is answered, and puts the note in r's context for
// authenticate, which names the directory.
func (s *Service) watch(w http.ResponseWriter, r *http.Request) (*activity, http.ResponseWriter, *http.Request) {
	a := &activity{ResponseWriter: w, at: s.core.Now(), start: time.Now(), method: r.Method, path: r.URL.Path}
	return a, a, r.WithContext(context.WithValue(r.Context(), activityKey{}, a))
}

// noteToken tells the request's activity which directory token it came with: its org's ring
// records the request, refused or not.
func noteToken(ctx context.Context, tok provisioning.DirectoryToken) {
	if a, ok := ctx.Value(activityKey{}).(*activity); ok {
		a.orgID, a.token = tok.OrgID, tok.ID
	}
}

// WriteHeader implements http.ResponseWriter.
func (a *activity) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
	a.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter, keeping the start of an error answer.
func (a *activity) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if a.status >= 400 && len(a.errBody) < maxErrorCapture {
		a.errBody = append(a.errBody, b[:min(len(b), maxErrorCapture-len(a.errBody))]...)
	}
	return a.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (a *activity) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// request is what the ring keeps of the answered request.
func (a *activity) request() provisioning.DirectoryRequest {
	status := a.status
	if status == 0 {
		// Every answer of the directory writes something; nothing written means the handler
		// panicked, and the server's recoverer answers 500.
		status = http.StatusInternalServerError
	}
	return provisioning.DirectoryRequest{OrgID: a.orgID, At: a.at.UTC(), Method: recordedMethod(a.method),
		Path: recordedPath(a.path), Status: status, SCIMType: scimTypeOf(a.errBody), TokenID: a.token, Duration: time.Since(a.start)}
}

// recordedMethod is the method, or OTHER for one SCIM does not use.
func recordedMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// recordedPath is the path redacted and cut to maxActivityPath bytes on a character boundary.
func recordedPath(p string) string {
	p = provisioning.RedactPath(p)
	if !utf8.ValidString(p) {
		p = "[not UTF-8]"
	}
	if len(p) <= maxActivityPath {
		return p
	}
	cut := maxActivityPath
	for cut > 0 && !utf8.RuneStart(p[cut]) {
		cut--
	}
	return p[:cut] + "…"
}

// scimTypeOf reads the scimType of a SCIM error document: a short word of letters, or "".
func scimTypeOf(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	var doc struct {
		ScimType string `json:"scimType"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.ScimType) > 40 {
		return ""
	}
	for _, c := range doc.ScimType {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return ""
		}
	}
	return doc.ScimType
}

// recorder holds answered requests until their batch is written.
type recorder struct {
	mu      sync.Mutex
	pending []provisioning.DirectoryRequest
	armed   bool
	dropped int
	// writing keeps batches in order: one is written at a time.
	writing sync.Mutex
}

// keep queues the request a answered for its org's ring; requests without a directory token
// (no org to show them to) are not kept.
func (s *Service) keep(a *activity) {
	if a.orgID == "" {
		return
	}
	req := a.request()
	r := &s.activity
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) >= maxPendingActivity {
		r.dropped++
		return
	}
	r.pending = append(r.pending, req)
	if !r.armed {
		r.armed = true
		time.AfterFunc(activityDelay, func() { s.flushActivity(context.Background()) })
	}
}

// flushActivity writes the requests waiting, if any. A failure is logged and the batch
// dropped: activity is a view of what happened, never a reason to fail a request.
func (s *Service) flushActivity(ctx context.Context) {
	r := &s.activity
	r.writing.Lock()
	defer r.writing.Unlock()
	r.mu.Lock()
	batch, dropped := r.pending, r.dropped
	r.pending, r.dropped, r.armed = nil, 0, false
	r.mu.Unlock()
	if dropped > 0 {
		s.log.WarnContext(ctx, "SCIM activity dropped: too many requests waiting to be recorded", "dropped", dropped)
	}
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), activityFlushTime)
	defer cancel()
	err := s.door().Update(ctx, func(tx provisioning.DirectoryTxn) error {
		if err := tx.CountersOnly(ctx); err != nil {
			return err
		}
		return tx.RecordDirectoryRequests(ctx, batch)
	})
	if err != nil {
		s.log.WarnContext(ctx, "SCIM activity not recorded", "requests", len(batch), "err", err)
	}
}

// Activity is what an org's directory has received: its last requests and what it holds.
type Activity struct {
	// Requests are the last requests, newest first (at most provisioning.DirectoryRequestsKept).
	Requests []provisioning.DirectoryRequest
	// Total counts every request recorded since the directory began.
	Total int64
	// Users and Groups count what the IdP pushed; ActiveUsers the users not deactivated.
	Users, ActiveUsers, Groups int
}

// Activity reads the org's recent requests and counts its users and groups (owners and
// admins). The requests this instance answered are written first, so they show at once.
func (s *Service) Activity(ctx context.Context, actor provisioning.Actor, orgID string) (Activity, error) {
	s.flushActivity(ctx)
	var out Activity
	err := s.door().View(ctx, func(tx provisioning.DirectoryTxn) error {
		if _, err := s.core.Authorize(ctx, tx, actor, orgID, provisioning.RoleAdmin, "manage the SCIM directory"); err != nil {
			return err
		}
		var err error
		if out.Requests, err = tx.ListDirectoryRequests(ctx, orgID); err != nil {
			return err
		}
		if len(out.Requests) > 0 {
			out.Total = out.Requests[0].Seq
		}
		if _, out.Users, err = tx.ListDirectoryUsers(ctx, provisioning.DirectoryQuery{OrgID: orgID}); err != nil {
			return err
		}
		active := &provisioning.DirectoryFilter{Op: "cmp", Attr: "active", Cmp: "eq", Value: true}
		if _, out.ActiveUsers, err = tx.ListDirectoryUsers(ctx, provisioning.DirectoryQuery{OrgID: orgID, Filter: active}); err != nil {
			return err
		}
		_, out.Groups, err = tx.ListDirectoryGroups(ctx, provisioning.DirectoryQuery{OrgID: orgID})
		return err
	})
	return out, err
}
