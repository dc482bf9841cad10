package provisioning

import (
	"context"
	"encoding/base64"
	"sync"
	"time"
)

// operatorKeyTTL bounds how long an instance trusts its copy of the operator key's hash. The
// key changes only when an instance starts with another --operator-key; the other instances
// follow within this time, and a gateway calling introspection on every request no longer
// reads the setting (a transaction of its own) on every call.
const operatorKeyTTL = time.Second

// operatorKeyCache is an instance's copy of the operator key's hash, read at most once per
// operatorKeyTTL of the process's own (monotonic) time.
type operatorKeyCache struct {
	mu   sync.Mutex
	hash []byte
	read time.Time
}

// operatorKeyHash returns the stored hash of the operator key (nil when none is stored).
func (s *Service) operatorKeyHash(ctx context.Context) ([]byte, error) {
	c := &s.operatorKey
	c.mu.Lock()
	if c.hash != nil && time.Since(c.read) < operatorKeyTTL {
		h := c.hash
		c.mu.Unlock()
		return h, nil
	}
	c.mu.Unlock()
	var stored string
	err := s.store.View(ctx, func(tx StoreTx) error {
		var err error
		stored, err = tx.GetSetting(ctx, operatorKeySetting)
		return err
	})
	if IsCode(err, CodeNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	hash, _ := base64.StdEncoding.DecodeString(stored)
	s.rememberOperatorKey(hash)
	return hash, nil
}

// rememberOperatorKey keeps hash as the instance's copy of the operator key's hash.
func (s *Service) rememberOperatorKey(hash []byte) {
	if len(hash) == 0 {
		return
	}
	c := &s.operatorKey
	c.mu.Lock()
	c.hash, c.read = hash, time.Now()
	c.mu.Unlock()
}
