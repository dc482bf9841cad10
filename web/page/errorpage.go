package page

import (
	"fmt"
	"net/http"

	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/provisioning"
)

// ErrorPage is the page of a request that failed: what went wrong, in words safe to show
// anyone, and what the person can do next.
type ErrorPage struct {
	// Code gives the page its status, through httperr's table.
	Code provisioning.Code
	// Title heads the page; empty says "Something is not right".
	Title string
	// Message is shown as given: provisioning.ErrorMessage, never an internal error's text.
	Message string
	// Ref is the request's reference, also in the log line and audit row; shown when set.
	Ref string
	// Retry, when set, links to where the person can start again.
	Retry *Link
	// SignIn, when set, is a sign-in form under the message.
	SignIn *Form
	// Person is who is signed in, for the header; nil when nobody is.
	Person *Person
}

// errorView is what error.html sees as .Data.
type errorView struct {
	ErrorPage
	Status string
}

// WriteError renders e with the status httperr gives its code. When rendering fails it answers
// 500 instead and returns the error, for the caller's log.
func WriteError(w http.ResponseWriter, e ErrorPage) error {
	status := httperr.Status(e.Code)
	if e.Title == "" {
		e.Title = "Something is not right"
	}
	p := Page{Title: e.Title, Person: e.Person}
	v := errorView{ErrorPage: e, Status: fmt.Sprintf("%d %s", status, http.StatusText(status))}
	return builtin.Write(w, status, p, "error.html", v)
}
