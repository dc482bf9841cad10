package web

import "net/http"

// routes registers the console's pages. Every form posts; every page reads with GET.
func (o *Options) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+ConsolePrefix+"/{$}", o.consoleHome)
	mux.HandleFunc("GET "+ConsolePrefix, o.consoleHome)
	mux.HandleFunc(ConsolePrefix+"/", o.notFound)
	org := func(method, path string, h orgHandler) {
		mux.Handle(method+" "+ConsolePrefix+"/{org}"+path, o.inOrg(h))
	}
	org("GET", "", o.orgHome)
	org("GET", "/{$}", o.orgHome)
	org("GET", "/about", o.about)

	org("GET", "/members", o.members)
	org("GET", "/members.csv", o.membersCSV)
	org("GET", "/members/{member}", o.memberDetail)
	org("POST", "/members/{member}/role", o.changeRole)
	org("POST", "/members/{member}/suspend", o.suspend)
	org("POST", "/members/{member}/reactivate", o.reactivate)
	org("POST", "/members/{member}/remove", o.remove)
	org("POST", "/members/{member}/transfer", o.transfer)
	org("POST", "/seats/assign", o.assignSeats)

	org("GET", "/invite", o.invitePage)
	org("POST", "/invite", o.invite)
	org("POST", "/invitations/{invitation}/resend", o.resend)
	org("POST", "/invitations/{invitation}/revoke", o.revoke)

	org("GET", "/tokens", o.tokens)
	org("POST", "/tokens", o.createToken)
	org("POST", "/tokens/{token}/revoke", o.revokeToken)

	org("GET", "/audit", o.audit)
	org("GET", "/settings", o.settings)
	org("POST", "/settings", o.saveSettings)
	org("POST", "/settings/contact", o.saveContact)
	o.ssoRoutes(org)
	o.operatorRoutes(mux)
	o.setupRoutes(org)
}
