package provisioning

import "time"

// DirectoryRequestsKept is how many of an org's SCIM requests its recent activity keeps: a
// ring in which each request takes the place of the one DirectoryRequestsKept before it.
const DirectoryRequestsKept = 50

// DirectoryRequest is one request that an org's SCIM directory answered, as its recent
// activity shows it to the org's admins. It never holds the body or the token, and the path is
// redacted (RedactPath).
type DirectoryRequest struct {
	OrgID string
	// Seq numbers the org's requests from 1, in the order they were recorded.
	Seq    int64
	At     time.Time
	Method string
	// Path is below the directory's base URL, such as /Users or /Groups/<id>, without the query.
	Path   string
	Status int
	// SCIMType is the scimType of an error answer (uniqueness, invalidFilter, …), if it had one.
	SCIMType string
	// TokenID is the directory token the request came with.
	TokenID  string
	Duration time.Duration
}
