package provisioning

// ActorKind says who acts: the operator, a member, a SCIM directory, an IdP or the system.
type ActorKind string

// Kinds of actor recorded in the audit log.
const (
	ActorOperator  ActorKind = "operator"
	ActorMember    ActorKind = "member"
	ActorDirectory ActorKind = "directory"
	ActorIdP       ActorKind = "idp"
	ActorSystem    ActorKind = "system"
	ActorUser      ActorKind = "user"
)

// Actor is whoever performs an action. Members carry the org they act in and their membership;
// their role is read fresh from the database on every request, never cached.
type Actor struct {
	Kind ActorKind `json:"kind"`
	// ID identifies the actor within its kind: a membership, directory, connection or user id.
	ID string `json:"id,omitempty"`
	// UserID is set for members and signed-in users.
	UserID string `json:"userId,omitempty"`
	// OrgID is the org a member, directory or connection belongs to.
	OrgID string `json:"orgId,omitempty"`
	// Role is a member's current role.
	Role Role `json:"role,omitempty"`
	// TokenID is the API token used, when any.
	TokenID string `json:"tokenId,omitempty"`
	// Label is a human name for the audit log (an email, a directory name).
	Label string `json:"label,omitempty"`
}

// Operator is the actor holding the installation's operator key.
func Operator() Actor { return Actor{Kind: ActorOperator, Label: "operator"} }

// System is the actor for Rollcall's own background work.
func System() Actor { return Actor{Kind: ActorSystem, Label: "system"} }

// IsOperator reports whether the actor is the operator.
func (a Actor) IsOperator() bool { return a.Kind == ActorOperator }
