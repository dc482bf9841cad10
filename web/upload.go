package web

import (
	"errors"
	"mime"
	"net/http"

	"github.com/rollcall/rollcall/provisioning"
)

// maxUpload bounds a form that sends a file (multipart/form-data): an IdP metadata file of at
// most 1 MB and the form's fields.
const maxUpload = maxMetadataFile + 64<<10

// parseForm reads a console form's body, bounded: maxForm for a plain form, maxUpload for one
// sending a file, whose parts are kept in memory (nothing is written to disk).
func parseForm(w http.ResponseWriter, r *http.Request) error {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if mediaType == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
		err = r.ParseMultipartForm(maxUpload)
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) && mediaType == "multipart/form-data":
		return provisioning.Errorf(provisioning.CodePayloadTooLarge, "the file is too large: IdP metadata is at most 1 MB")
	case errors.As(err, &tooBig):
		return provisioning.Errorf(provisioning.CodePayloadTooLarge, "the form is too large: send at most 1,000 addresses at a time")
	case err != nil:
		return provisioning.Errorf(provisioning.CodeInvalid, "the form could not be read")
	}
	return nil
}
