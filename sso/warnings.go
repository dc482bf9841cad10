package sso

// warningSHA1 is shown on a connection that accepts SHA-1 signatures.
const warningSHA1 = "allowSha1Signatures is on: this connection accepts SAML responses signed with SHA-1, which can be forged with enough computing power. Configure the identity provider to sign with SHA-256 and turn the setting off."

// warnings lists what weakens a connection's security, for its API view.
func warnings(cfg Config) []string {
	out := []string{}
	if cfg.SAML != nil && cfg.SAML.AllowSHA1Signatures {
		out = append(out, warningSHA1)
	}
	return out
}
