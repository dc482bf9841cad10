// Package page is the one HTML page stack of Rollcall: the frame every page shares (header with
// the product name, the signed-in person and an org switcher, the content, a footer), its one
// stylesheet, the error page, and the security headers every page carries. The entrances
// (sign-in, invitations, single sign-on) and the console render their pages through it.
//
// Pages work without JavaScript and carry no inline styles or scripts: the Content Security
// Policy allows only this site's own stylesheet and script. The package imports only the core's
// error codes (provisioning), the status table (httperr) and the standard library, so every
// entrance may use it.
package page

import "net/http"

// Page is one page: the frame's slots and, for a plain page, its content.
type Page struct {
	// Title heads the page and names the browser tab ("Title · Rollcall").
	Title string
	// Person is who is signed in, shown in the header; nil when nobody is.
	Person *Person
	// Orgs fill the header's org switcher; it shows only when there are some.
	Orgs []Org
	// Nav is a section's navigation under the header (the console's pages); it shows only
	// when there are links.
	Nav []NavLink
	// Notice is a short confirmation shown above the content ("Invitation sent."), announced
	// to screen readers; Alert is the same for a refusal, shown as an error.
	Notice, Alert string
	// Wide gives the content the full width, for tables.
	Wide bool
	// Enhanced loads the console's script: live search, copy buttons and confirmation
	// dialogs. Every page works without it.
	Enhanced bool
	// Lines, Links and Forms are a plain page's content (Write), in that order.
	Lines []string
	Links []Link
	Forms []Form
	// FormTargets are the places off this site the page's forms may send the browser to, as
	// URLs (only their origin counts) or the scheme "https:": a SAML POST form to the IdP, or
	// a form whose answer redirects to one. Everything else stays form-action 'self'.
	FormTargets []string
}

// Person is the signed-in person in the header.
type Person struct {
	Email string
	// SignOut, when set, is the path a "Sign out" button posts to.
	SignOut string
}

// Org is one entry of the org switcher.
type Org struct {
	Name, Href string
	// Current marks the org the page is about.
	Current bool
}

// NavLink is one entry of a section's navigation.
type NavLink struct {
	Href, Text string
	// Current marks the page shown.
	Current bool
}

// Link is a link in a page's content, with an optional note after it.
type Link struct{ Href, Text, Note string }

// Form is a form with one button; AskEmail adds an email field (required), prefilled with Email.
type Form struct {
	Action string
	// Method is "get" or "post" (the default).
	Method string
	Button string
	// AskEmail adds the email field; Label names it ("Email" when empty).
	AskEmail     bool
	Label, Email string
	Hidden       map[string]string
	// AutoSubmit submits the form as soon as the page loads when scripts run (the SAML POST
	// binding); without them the person presses the button.
	AutoSubmit bool
}

// Write renders a plain page (its lines, links and forms) with status. When rendering fails it
// answers 500 instead and returns the error, for the caller's log.
func Write(w http.ResponseWriter, status int, p Page) error {
	return builtin.Write(w, status, p, "text.html", nil)
}
