package provisioning

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// OperatorSessionTTL is how long an operator's browser session lasts.
const OperatorSessionTTL = 2 * time.Hour

// operatorSessionAAD binds sealed operator sessions to their purpose.
const operatorSessionAAD = "rollcall operator session"

// operatorClaim is what an operator session seals: when it ends and which operator key opened
// it (a digest of the key's stored hash).
type operatorClaim struct {
	Expires int64  `json:"exp"`
	Key     string `json:"key"`
}

// StartOperatorSession checks the operator key and returns an operator session for the browser:
// sealed with the core's key (so any instance can read it and nobody can forge or read it),
// lasting OperatorSessionTTL, and ending at once when the operator key changes. A member's API
// token is not the operator key and is refused.
func (s *Service) StartOperatorSession(ctx context.Context, key string) (string, error) {
	actor, err := s.Authenticate(ctx, key)
	if IsCode(err, CodeUnauthorized) || (err == nil && !actor.IsOperator()) {
		return "", Errorf(CodeUnauthorized, "this is not the operator key")
	}
	if err != nil {
		return "", err
	}
	print, err := s.operatorKeyPrint(ctx)
	if err != nil {
		return "", err
	}
	claim, _ := json.Marshal(operatorClaim{Expires: s.Now().Add(OperatorSessionTTL).Unix(), Key: print})
	sealed, err := s.Seal(ctx, claim, operatorSessionAAD)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// OperatorSession returns the operator actor for a session StartOperatorSession made, while it
// lasts and the operator key is the one that opened it.
func (s *Service) OperatorSession(ctx context.Context, session string) (Actor, error) {
	ended := Errorf(CodeUnauthorized, "your operator session has ended: enter the operator key again")
	sealed, err := base64.RawURLEncoding.DecodeString(session)
	if err != nil || len(session) > 4096 {
		return Actor{}, ended
	}
	plain, err := s.Open(ctx, sealed, operatorSessionAAD)
	if errors.Is(err, errSealedKey) {
		return Actor{}, ended
	}
	if err != nil {
		return Actor{}, err
	}
	var c operatorClaim
	if json.Unmarshal(plain, &c) != nil || !s.Now().Before(time.Unix(c.Expires, 0)) {
		return Actor{}, ended
	}
	print, err := s.operatorKeyPrint(ctx)
	if err != nil {
		return Actor{}, err
	}
	if subtle.ConstantTimeCompare([]byte(print), []byte(c.Key)) != 1 {
		return Actor{}, ended
	}
	return Operator(), nil
}

// operatorKeyPrint is a digest of the operator key's stored hash (operatorKeyHash).
func (s *Service) operatorKeyPrint(ctx context.Context) (string, error) {
	hash, err := s.operatorKeyHash(ctx)
	if err != nil {
		return "", err
	}
	if hash == nil {
		return "", Errorf(CodeNotFound, "no operator key is installed")
	}
	sum := sha256.Sum256([]byte("operator session\x00" + encodeHash(hash)))
	return base64.RawURLEncoding.EncodeToString(sum[:16]), nil
}
