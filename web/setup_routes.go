package web

// setupRoutes registers the pages an org's admins connect their IdP and domains with: the
// domains, the SCIM directory and the invite links (the overview is the org's home, in routes).
func (o *Options) setupRoutes(org func(method, path string, h orgHandler)) {
	org("GET", "/domains", o.domainsPage)
	org("POST", "/domains", o.addDomain)
	org("POST", "/domains/{domain}/verify", o.verifyDomain)
	org("POST", "/domains/{domain}/auto-join", o.domainAutoJoin)
	org("POST", "/domains/{domain}/remove", o.removeDomain)

	org("GET", "/scim", o.directoryPage)
	org("POST", "/scim/tokens", o.createDirectoryToken)
	org("POST", "/scim/tokens/{token}/revoke", o.revokeDirectoryToken)
	org("POST", "/scim/mappings", o.addMapping)
	org("POST", "/scim/mappings/{mapping}/delete", o.deleteMapping)

	org("GET", "/invite-links", o.linksPage)
	org("POST", "/invite-links/{role}/regenerate", o.regenerateLink)
	org("POST", "/invite-links/{role}/disable", o.disableLink)
}
