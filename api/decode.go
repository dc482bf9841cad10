package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/rollcall/rollcall/provisioning"
)

// limitBody caps request bodies; reading past the cap fails with payload_too_large.
func limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body != nil {
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Decode reads a JSON body into v strictly: unknown fields, wrong types, trailing data and
// oversize bodies are each refused with a message saying what is wrong.
func Decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return provisioning.Errorf(provisioning.CodeInvalid, "send the body as application/json, not %s", ct)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	var tooBig *http.MaxBytesError
	switch err := dec.Decode(&struct{}{}); {
	case errors.As(err, &tooBig):
		return decodeError(err)
	case !errors.Is(err, io.EOF):
		return provisioning.Errorf(provisioning.CodeInvalid, "the body must hold a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return provisioning.Errorf(provisioning.CodePayloadTooLarge, "the body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return provisioning.Errorf(provisioning.CodeInvalid, "the body is empty: send a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return provisioning.Errorf(provisioning.CodeInvalid, "the body is not valid JSON")
	case errors.As(err, &typeErr):
		return provisioning.Invalidf(typeErr.Field, "%s must be %s, not %s", fieldName(typeErr.Field), typeName(typeErr.Type.String()), typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return provisioning.Invalidf(name, "unknown field %q", name)
	}
	return provisioning.Errorf(provisioning.CodeInvalid, "the body could not be read: %s", err.Error())
}

func fieldName(f string) string {
	if f == "" {
		return "the body"
	}
	return f
}

func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string", strings.HasPrefix(t, "provisioning."):
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	}
	return fmt.Sprintf("a JSON value of type %s", t)
}
