package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
)

const fuzzBodyLimit = 256

// decodeLimited runs Decode on body into v behind limitBody, as the API's routes do.
func decodeLimited(body []byte, contentType string, limit int64, v any) error {
	var err error
	h := limitBody(limit)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { err = Decode(r, v) }))
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	h.ServeHTTP(httptest.NewRecorder(), req)
	return err
}

// FuzzDecode: any body and content type, decoded into a partial settings change and a bulk
// invitation, is refused as invalid (or too large) with a message of ours, not a Go error's
// text, or decoded; what is decoded came within the limit as JSON with only known fields, and
// decodes the same once encoded again. A body past the limit that would decode is too large.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"defaultRole":"viewer"}`, `{"autoAssignSeats":false,"inviteExpiryHours":0}`, `{"inviteExpiryHours":1e3}`,
		`{"inviteExpiryHours":"24"}`, `{"tokenRateLimitPerMinute":99999999999999999999}`, `{"nope":1}`, `{"DefaultRole":"admin"}`,
		`{"emails":["a@acme.com","b@acme.com"],"role":"member","sendEmail":false}`, `{"text":"a@acme.com\nb@acme.com"}`,
		`{"emails":"a@acme.com"}`, `{} {}`, `{}x`, `[]`, `null`, ``, ` `, `{"a":`, "\xef\xbb\xbf{}", `{"role":"\u0000"}`,
		`{"defaultRole":"viewer"}` + strings.Repeat(" ", fuzzBodyLimit), `{"text":"` + strings.Repeat("a", fuzzBodyLimit) + `"}`,
	} {
		f.Add([]byte(seed), "application/json")
	}
	f.Add([]byte(`{}`), "")
	f.Add([]byte(`{}`), "text/plain")
	f.Add([]byte(`a=b`), "application/x-www-form-urlencoded")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		checkDecode(t, body, contentType, &provisioning.SettingsChange{}, func() any { return &provisioning.SettingsChange{} })
		checkDecode(t, body, contentType, &invites.BulkInput{}, func() any { return &invites.BulkInput{} })
	})
}

func checkDecode(t *testing.T, body []byte, contentType string, v any, fresh func() any) {
	t.Helper()
	err := decodeLimited(body, contentType, fuzzBodyLimit, v)
	if len(body) > fuzzBodyLimit && decodeLimited(body, contentType, 1<<20, fresh()) == nil && provisioning.ErrorCode(err) != provisioning.CodePayloadTooLarge {
		t.Fatalf("%d bytes, over the limit of %d and decodable: %v, want payload too large", len(body), fuzzBodyLimit, err)
	}
	if err != nil {
		code, msg := provisioning.ErrorCode(err), provisioning.ErrorMessage(err)
		if code != provisioning.CodeInvalid && code != provisioning.CodePayloadTooLarge {
			t.Fatalf("%q refused as %s: %v", body, code, err)
		}
		if msg == "" || strings.Contains(msg, "json:") {
			t.Fatalf("%q refused with the message %q", body, msg)
		}
		return
	}
	if len(body) > fuzzBodyLimit {
		t.Fatalf("%d bytes decoded past the limit of %d", len(body), fuzzBodyLimit)
	}
	if ct := strings.TrimSpace(contentType); ct != "" && !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("decoded as %q", contentType)
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) == nil {
		known := reflect.TypeOf(v).Elem()
		for k := range top {
			if !hasJSONField(known, k) {
				t.Fatalf("%q decoded with the unknown field %q", body, k)
			}
		}
	}
	again, _ := json.Marshal(v)
	w := fresh()
	if err := decodeLimited(again, "application/json", 1<<20, w); err != nil || !reflect.DeepEqual(v, w) {
		t.Fatalf("%q decoded as %s, which decodes as %+v (%v)", body, again, w, err)
	}
}

// hasJSONField reports whether the struct type has a field encoding/json would fill from key
// (names match case-insensitively, as encoding/json matches them).
func hasJSONField(st reflect.Type, key string) bool {
	for i := range st.NumField() {
		name, _, _ := strings.Cut(st.Field(i).Tag.Get("json"), ",")
		if name == "" {
			name = st.Field(i).Name
		}
		if strings.EqualFold(name, key) {
			return true
		}
	}
	return false
}
