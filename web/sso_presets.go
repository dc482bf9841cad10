package web

import "github.com/rollcall/rollcall/sso"

// ssoPreset is the guided setup of one identity provider product and protocol: what the IdP
// calls the values to enter there, the steps in its admin console, where its metadata or
// issuer is found, and the attribute names it sends, which the new connection's mapping starts
// with.
type ssoPreset struct {
	// Key names the preset in addresses (?idp=okta-saml).
	Key, IdP, Protocol string
	// Name is the new connection's name; Product names the IdP in sentences ("Enter these
	// values at Okta"); Title and Blurb present the choice.
	Name, Product, Title, Blurb string
	// Labels are the IdP's names for Rollcall's values: acs, entity, metadata, redirect.
	Labels map[string]string
	// Steps are what to do in the IdP's admin console, in order.
	Steps []string
	// Source says where the IdP's metadata (SAML) or issuer (OIDC) is found.
	Source  string
	Mapping sso.Mapping
	Scopes  []string
}

var entraClaims = sso.Mapping{
	Email:     "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
	FirstName: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
	LastName:  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
	Groups:    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
}

var (
	samlNamed  = sso.Mapping{Email: "email", FirstName: "firstName", LastName: "lastName", Groups: "groups"}
	oidcClaims = sso.Mapping{Email: "email", FirstName: "given_name", LastName: "family_name", Groups: "groups"}
)

// ssoPresets are the setups the console guides, in the order it offers them.
var ssoPresets = []ssoPreset{
	{Key: "okta-saml", IdP: sso.IdPOkta, Protocol: sso.ProtocolSAML, Name: "Okta", Product: "Okta", Title: "Okta (SAML)",
		Blurb:  "A SAML 2.0 app integration in Okta. Recommended for Okta.",
		Labels: map[string]string{"acs": "Single sign-on URL", "entity": "Audience URI (SP Entity ID)", "metadata": "SP metadata URL (optional)"},
		Steps: []string{
			"In the Okta Admin Console, open Applications → Applications → Create App Integration, and choose SAML 2.0.",
			"Under Configure SAML, paste the Single sign-on URL and the Audience URI below. Name ID format: Persistent (or EmailAddress). Application username: Email.",
			"Add the attribute statements email = user.email, firstName = user.firstName, lastName = user.lastName, and a group attribute statement groups (filter: Matches regex .*) to map groups to roles.",
			"Assign the app to the people or groups who may sign in.",
			"On the app's Sign On tab, copy the Metadata URL and give it to Rollcall below.",
		},
		Source: "Okta: the app's Sign On tab → Metadata URL (https://<your-okta-domain>/app/<app-id>/sso/saml/metadata).", Mapping: samlNamed},
	{Key: "okta-oidc", IdP: sso.IdPOkta, Protocol: sso.ProtocolOIDC, Name: "Okta", Product: "Okta", Title: "Okta (OpenID Connect)",
		Blurb:  "An OIDC web app integration in Okta.",
		Labels: map[string]string{"redirect": "Sign-in redirect URI"},
		Steps: []string{
			"In the Okta Admin Console, open Applications → Applications → Create App Integration, choose OIDC - OpenID Connect and Web Application.",
			"Grant type: Authorization Code. Paste the sign-in redirect URI below.",
			"To map groups to roles: on the Sign On tab, set the ID token's Groups claim (name groups, filter Matches regex .*).",
			"Assign the app to the people or groups who may sign in, then copy the Client ID and Client secret into Rollcall below.",
		},
		Source:  "Okta's issuer is https://<your-okta-domain> (or https://<your-okta-domain>/oauth2/default for the default authorization server).",
		Mapping: oidcClaims, Scopes: []string{"email", "profile"}},
	{Key: "entra-saml", IdP: sso.IdPEntra, Protocol: sso.ProtocolSAML, Name: "Microsoft Entra ID", Product: "Microsoft Entra ID", Title: "Microsoft Entra ID (SAML)",
		Blurb:  "A non-gallery enterprise application with SAML single sign-on. Recommended for Entra ID.",
		Labels: map[string]string{"entity": "Identifier (Entity ID)", "acs": "Reply URL (Assertion Consumer Service URL)", "metadata": "SP metadata URL (optional)"},
		Steps: []string{
			"In the Microsoft Entra admin center, open Enterprise applications → New application → Create your own application, and choose \"Integrate any other application you don't find in the gallery\".",
			"Open Single sign-on → SAML. Under Basic SAML Configuration, paste the Identifier and the Reply URL below.",
			"Under Attributes & Claims, keep the default claims (emailaddress, givenname, surname). To map groups to roles, add a group claim: Entra sends group object IDs unless you choose another source attribute, so write the rules with what it sends.",
			"Under Users and groups, assign the people or groups who may sign in.",
			"Under SAML Certificates, copy the App Federation Metadata Url and give it to Rollcall below.",
		},
		Source: "Entra ID: Single sign-on → SAML Certificates → App Federation Metadata Url.", Mapping: entraClaims},
	{Key: "entra-oidc", IdP: sso.IdPEntra, Protocol: sso.ProtocolOIDC, Name: "Microsoft Entra ID", Product: "Microsoft Entra ID", Title: "Microsoft Entra ID (OpenID Connect)",
		Blurb:  "An app registration signing in with OpenID Connect.",
		Labels: map[string]string{"redirect": "Redirect URI (Web)"},
		Steps: []string{
			"In the Microsoft Entra admin center, open App registrations → New registration. Under Redirect URI choose Web and paste the redirect URI below.",
			"Under Certificates & secrets, create a client secret and copy its value (Entra shows it once).",
			"Under Token configuration, add the optional ID token claims email, given_name and family_name, and a groups claim to map groups to roles (group object IDs unless you choose otherwise).",
			"Copy the Application (client) ID and the Directory (tenant) ID into Rollcall below.",
		},
		Source:  "Entra ID's issuer is https://login.microsoftonline.com/<tenant-id>/v2.0 (the Directory ID of the app's Overview).",
		Mapping: oidcClaims, Scopes: []string{"email", "profile"}},
	{Key: "google-saml", IdP: sso.IdPGoogle, Protocol: sso.ProtocolSAML, Name: "Google Workspace", Product: "Google Workspace", Title: "Google Workspace (SAML)",
		Blurb:  "A custom SAML app in the Google Admin console.",
		Labels: map[string]string{"acs": "ACS URL", "entity": "Entity ID", "metadata": "SP metadata URL (optional)"},
		Steps: []string{
			"In the Google Admin console, open Apps → Web and mobile apps → Add app → Add custom SAML app, and give it a name.",
			"On the Google Identity Provider details page, choose Download Metadata: you upload that file to Rollcall below.",
			"Under Service provider details, paste the ACS URL and the Entity ID below. Name ID format: EMAIL; Name ID: Basic Information → Primary email.",
			"Under Attribute mapping, map First name → firstName, Last name → lastName, Primary email → email, and Group membership → groups to map groups to roles.",
			"Turn the app ON for everyone, or for the organizational units who may sign in.",
		},
		Source: "Google Workspace gives the IdP metadata as a file (Download Metadata); it has no metadata URL.", Mapping: samlNamed},
	{Key: "saml", Protocol: sso.ProtocolSAML, Name: "SAML", Product: "your identity provider", Title: "Other SAML 2.0 provider",
		Blurb:  "OneLogin, JumpCloud, PingFederate, ADFS, Keycloak, Shibboleth, …",
		Labels: map[string]string{"acs": "Assertion Consumer Service (ACS) URL", "entity": "SP entity ID (audience)", "metadata": "SP metadata URL"},
		Steps: []string{
			"Create a SAML 2.0 application (service provider) at your identity provider. If it can load SP metadata from a URL, give it the SP metadata URL; otherwise paste the ACS URL and the entity ID below.",
			"Have it sign the response or the assertion with SHA-256, send the email address (and names and groups if you map groups to roles), and use a persistent NameID if it can.",
			"Give Rollcall the identity provider's metadata URL, or upload its metadata file, below.",
		},
		Source: "Your identity provider's SAML metadata (an EntityDescriptor), by URL or as a file."},
	{Key: "oidc", Protocol: sso.ProtocolOIDC, Name: "OIDC", Product: "your provider", Title: "Other OpenID Connect provider",
		Blurb:  "Google (without groups), Auth0, Keycloak, Ping, …",
		Labels: map[string]string{"redirect": "Redirect URI (callback)"},
		Steps: []string{
			"Register a confidential web application at your provider with the authorization code flow, and paste the redirect URI below.",
			"Copy its client ID and client secret, and the issuer URL, into Rollcall below. Rollcall reads the email, given_name, family_name and groups claims.",
		},
		Source: "The issuer is the URL whose /.well-known/openid-configuration describes the provider, e.g. https://accounts.google.com.",
		Scopes: []string{"email", "profile"}},
}

// presetFor returns the preset named key, if any.
func presetFor(key string) (ssoPreset, bool) {
	for _, p := range ssoPresets {
		if p.Key == key {
			return p, true
		}
	}
	return ssoPreset{}, false
}

// presetOf is the preset that guides an existing connection: its product and protocol.
func presetOf(c sso.Connection) ssoPreset {
	for _, p := range ssoPresets {
		if p.IdP == c.IdP && p.Protocol == c.Protocol {
			return p
		}
	}
	p, _ := presetFor(c.Protocol)
	return p
}
