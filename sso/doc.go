// Package sso is Rollcall's single sign-on entrance: per-org SAML 2.0 (crewjam/saml) and OIDC
// (coreos/go-oidc + x/oauth2, authorization code with PKCE) connections, sign-in from an email
// (home-realm discovery through verified domains), an org or a connection, and just-in-time
// provisioning through the pipeline (entrances saml and oidc). A sign-in ends in a console
// session, or for the SaaS app in a redirect to a registered redirect URI with a one-time code
// the app exchanges through the REST API for the profile.
//
// Instances are stateless: sign-in flows (SAML request id, OIDC state, nonce and PKCE verifier,
// the app's redirect), accepted assertion ids, codes, the sealing key (when generated) and the
// SP key pair live in the database.
//
// Decisions:
//   - Whom an IdP reaches is the core's decision (provisioning's identity resolution): a linked
//     subject first, then an existing account by email only at a domain the connection's org
//     verified and only for one subject per connection and account, else a new account. The
//     IdP's email_verified is not used; a domain another org verified is refused. A transient
//     NameID is no subject: such people are matched by email at their connection.
//   - Roles. With group rules, a sign-in carrying groups sets the role (highest matching rule,
//     else the connection's default role, else the org's) — leaving a group demotes; one that
//     carries none (not sent, Entra's overage) keeps it. Without rules the default role applies
//     only when the member joins. SSO never grants owner and never changes an owner's role; rules
//     granting admin and an admin default role need an owner. A full org gives automatic joins
//     a viewer seat (the core's seat rules).
//   - JIT off: only people with an active membership may sign in. Suspended and removed members
//     are always refused by the core.
//   - SAML checks: only HTTP-POST responses (no artifact resolution); no DOCTYPE or other XML
//     directive; exactly one assertion, directly under the Response (wrapping attacks); the
//     signature on the response or the assertion by a certificate in the connection's stored
//     IdP metadata; issuer, destination, recipient, audience (present and ours in every
//     restriction); InResponseTo equal to the request id stored with the flow; the time window
//     with the configured skew on Rollcall's clock (default 1 minute, at most crewjam's fixed
//     3); a NameID and a bearer confirmation with an expiry. Each assertion id is accepted once
//     per connection on any instance (primary key of sso_assertions, kept until the assertion
//     could no longer be accepted). Encrypted assertions: RSA PKCS#1 v1.5 key transport
//     (rsa-1_5) and 3DES are refused on sight; every failure to decrypt shows the same page and
//     records the same reason, so failures are no oracle against the SP key. crewjam's
//     rejections are told apart by their error kinds (errors.Is), not their wording. SHA-1
//     signatures (rsa-sha1, sha1 digests) are refused unless the connection allows them
//     (allowSha1Signatures, for legacy IdPs; its view then carries a warning).
//     IdP-initiated sign-in is off by default; when on, it
//     accepts only responses that answer no request, and a RelayState equal to a registered
//     redirect URI sends the person to the app.
//   - OIDC checks: state names a flow of this connection (a callback at another connection is
//     refused), the PKCE verifier, the ID token's signature, issuer, audience (and azp when
//     several audiences), expiry (with the skew), an iat, and nonce; discovery refuses a
//     document that names another issuer. Claims missing from the ID token are read from
//     userinfo, whose subject must match. A new issuer or client id is checked when saved: the
//     discovery document must name exactly that issuer and give the authorization, token and
//     key endpoints.
//   - Flows are bound to the browser that started them by the rollcall_sso cookie (login
//     CSRF); over https it is SameSite=None; Secure, because the IdP's POST to the ACS is
//     cross-site. A flow lives FlowTTL (10 minutes) and is used once: a success consumes it in
//     the sign-in's transaction, a failure burns it.
//   - All-or-nothing: consuming the flow, recording the assertion id, the pipeline (user,
//     identity link, membership, seat, audit, webhooks) and the session or code commit in one
//     transaction. A failure writes only its audit event (sso.sign_in_failed, actor: the
//     connection's IdP, with the library's reason) and shows a page saying what went wrong.
//   - Test sign-in (StartTest, from the console): the flow row names the owner or admin who
//     started it; the ACS or callback runs every check of a real sign-in, then the pipeline in a
//     transaction it always rolls back, stores what arrived and what the pipeline decided with
//     the flow (kept an hour, shown only to that admin), uses the assertion up and audits
//     sso.sign_in_tested. No user, membership, identity link, session, code or webhook is
//     written. A connection turned off can be tested (only by test flows); the admin must still
//     be an owner or admin when the IdP answers.
//   - A connection may be saved turned off before its IdP is set (it serves its SP metadata, so
//     the IdP can be configured first); it cannot be turned on until it is configured.
//   - The app's code (rcc_…) lives CodeTTL (1 minute), is stored hashed, works once, and only
//     with the redirect URI it was issued for. It is exchanged at POST /api/v1/sso/exchange with
//     the operator key or an API token of an owner or admin of the code's org (the app's back
//     end holds one); a token of another org is refused and leaves the code usable. The profile
//     is read at exchange time (current role and seat).
//   - Secrets at rest: OIDC client secrets and the SP private key are sealed with AES-256-GCM
//     (bound to what they belong to) by the core (provisioning.Service.Seal), whose key is
//     --secret-key; without one, a random key is generated into the settings table — weaker,
//     since a database copy then holds the key too. The SP key pair is one per installation, generated on first use,
//     rotated by the operator with an overlap: the new key is published beside the current one
//     for Options.SPKeyGracePeriod (both decrypt), signs requests once the operator activates
//     it or the period ends, and then the old key is retired. The state (settings sso.sp_key
//     and sso.sp_key.next) and the times decide which keys are in effect on every instance.
//   - IdP metadata given by URL is fetched when the connection is saved (by an owner or admin
//     only), again every 12 hours and after a signature failure (at most every 5 minutes);
//     sign-ins use only the stored copy.
//   - Fetches made because of an admin's settings (metadata, OIDC discovery, keys, tokens,
//     userinfo) go through one client (fetch.go): https only, public addresses only, checked on
//     the resolved address of every connection (redirects, at most 3, and DNS rebinding
//     included), no proxy, 10s, 1 MB. Every failure answers one text; the cause goes to the
//     server log only, and nothing a server answered is quoted in errors or the audit log.
//     Options.AllowPrivateFetch (--sso-allow-private-fetch) lifts the https and address rules
//     for development.
package sso
