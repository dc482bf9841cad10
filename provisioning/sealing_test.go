package provisioning_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/store/storetest"
)

// TestSealing: a sealed secret opens with the same key and aad only; without a configured key
// one key is generated into the settings table and every service over the database shares it.
func TestSealing(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	configured := provisioning.NewService(db, provisioning.Options{SecretKey: provisioning.KeyFromPassphrase("a passphrase")})
	if !configured.SecretKeyConfigured() {
		t.Fatal("a configured key is not reported as configured")
	}
	sealed, err := configured.Seal(ctx, []byte("client secret"), "conn-1")
	if err != nil || bytes.Contains(sealed, []byte("client secret")) {
		t.Fatalf("seal: %v %q", err, sealed)
	}
	if plain, err := configured.Open(ctx, sealed, "conn-1"); err != nil || string(plain) != "client secret" {
		t.Fatalf("open: %q %v", plain, err)
	}
	if _, err := configured.Open(ctx, sealed, "conn-2"); provisioning.ErrorCode(err) != provisioning.CodeInternal {
		t.Fatalf("opened for another owner: %v", err)
	}
	other := provisioning.NewService(db, provisioning.Options{SecretKey: provisioning.KeyFromPassphrase("another")})
	if _, err := other.Open(ctx, sealed, "conn-1"); err == nil {
		t.Fatal("opened with another key")
	}
	first := provisioning.NewService(db, provisioning.Options{})
	second := provisioning.NewService(db, provisioning.Options{})
	if first.SecretKeyConfigured() {
		t.Fatal("no key configured, yet reported configured")
	}
	generated, err := first.Seal(ctx, []byte("x"), "a")
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := second.Open(ctx, generated, "a"); err != nil || string(plain) != "x" {
		t.Fatalf("a second instance does not share the generated key: %v", err)
	}
	if _, err := configured.Open(ctx, generated, "a"); err == nil {
		t.Fatal("the configured key opened what the generated key sealed")
	}
}
