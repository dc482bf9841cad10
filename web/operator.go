package web

import (
	"net/http"

	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/web/page"
)

// OperatorPrefix is where the operator's pages live: whoever runs the installation, holding the
// operator key, signs in there once and sees the installation's own settings (webhooks).
const OperatorPrefix = "/operator"

// operatorCookie carries the operator's sealed session, only to the operator's pages.
const operatorCookie = "rollcall_operator"

// operatorRoutes registers the operator's pages.
func (o *Options) operatorRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+OperatorPrefix, o.operatorHome)
	mux.HandleFunc("GET "+OperatorPrefix+"/{$}", o.operatorHome)
	mux.HandleFunc("POST "+OperatorPrefix+"/sign-in", o.operatorSignIn)
	mux.HandleFunc("POST "+OperatorPrefix+"/sign-out", o.operatorSignOut)
	mux.Handle("GET "+OperatorPrefix+"/webhooks", o.asOperator(o.webhooks))
	mux.Handle("POST "+OperatorPrefix+"/webhooks/{id}/redeliver", o.asOperator(o.redeliver))
	mux.HandleFunc(OperatorPrefix+"/", o.notFound)
}

// operatorVisit is one request of a signed-in operator: the form token of their session.
type operatorVisit struct{ csrf string }

type operatorHandler func(w http.ResponseWriter, r *http.Request, v *operatorVisit) error

// asOperator serves a page to a browser holding a live operator session, checking that a form
// comes from the operator's own page; without a session it shows the sign-in form.
func (o *Options) asOperator(h operatorHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret := ""
		if c, err := r.Cookie(operatorCookie); err == nil {
			secret = c.Value
		}
		if secret == "" {
			o.operatorSignInPage(w, r, http.StatusUnauthorized, "")
			return
		}
		if _, err := o.Service.OperatorSession(r.Context(), secret); err != nil {
			if !provisioning.IsCode(err, provisioning.CodeUnauthorized) {
				o.fail(w, r, nil, err)
				return
			}
			http.SetCookie(w, o.operatorCookie(r, "", -1))
			o.operatorSignInPage(w, r, http.StatusUnauthorized, provisioning.ErrorMessage(err))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := o.checkForm(w, r, secret); err != nil {
				o.fail(w, r, nil, err)
				return
			}
		}
		if err := h(w, r, &operatorVisit{csrf: formToken(secret)}); err != nil {
			o.fail(w, r, nil, err)
		}
	}
}

func (o *Options) operatorCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: operatorCookie, Value: value, Path: OperatorPrefix, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: o.SecureCookies || r.TLS != nil}
}

// operatorHome opens the operator's pages: the webhooks, or the sign-in form.
func (o *Options) operatorHome(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(operatorCookie); err == nil {
		if _, err := o.Service.OperatorSession(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, OperatorPrefix+"/webhooks", http.StatusSeeOther)
			return
		}
	}
	o.operatorSignInPage(w, r, http.StatusOK, "")
}

// operatorSignInPage asks for the operator key.
func (o *Options) operatorSignInPage(w http.ResponseWriter, r *http.Request, status int, alert string) {
	p := page.Page{Title: "Operator sign-in", Alert: alert}
	o.check(r, pages.Write(w, status, p, "operator.html", nil))
}

// operatorSignIn trades the operator key for a session cookie. Only a form from this site is
// accepted (the cross-origin check); the key is never stored in the browser.
func (o *Options) operatorSignIn(w http.ResponseWriter, r *http.Request) {
	if crossOrigin.Check(r) != nil {
		o.fail(w, r, nil, provisioning.Errorf(provisioning.CodeForbidden, "this form did not come from Rollcall's own page"))
		return
	}
	if err := parseForm(w, r); err != nil {
		o.fail(w, r, nil, err)
		return
	}
	secret, err := o.Service.StartOperatorSession(r.Context(), r.PostForm.Get("key"))
	if provisioning.IsCode(err, provisioning.CodeUnauthorized) {
		o.operatorSignInPage(w, r, http.StatusUnauthorized, "This is not the operator key.")
		return
	}
	if err != nil {
		o.fail(w, r, nil, err)
		return
	}
	http.SetCookie(w, o.operatorCookie(r, secret, int(provisioning.OperatorSessionTTL.Seconds())))
	page.NoStore(w.Header())
	http.Redirect(w, r, OperatorPrefix+"/webhooks", http.StatusSeeOther)
}

// operatorSignOut drops the operator's session cookie.
func (o *Options) operatorSignOut(w http.ResponseWriter, r *http.Request) {
	if crossOrigin.Check(r) != nil {
		o.fail(w, r, nil, provisioning.Errorf(provisioning.CodeForbidden, "this form did not come from Rollcall's own page"))
		return
	}
	http.SetCookie(w, o.operatorCookie(r, "", -1))
	http.Redirect(w, r, OperatorPrefix, http.StatusSeeOther)
}

// operatorFrame is the frame of an operator page.
func operatorFrame(title string) page.Page {
	return page.Page{Title: title, Wide: true, Enhanced: true,
		Person: &page.Person{Email: "the operator", SignOut: OperatorPrefix + "/sign-out"},
		Nav:    []page.NavLink{{Href: OperatorPrefix + "/webhooks", Text: "Webhooks", Current: true}}}
}
