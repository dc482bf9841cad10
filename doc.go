// Package rollcall is a self-hosted identity provisioning service: SCIM, SSO with just-in-time
// provisioning, verified-domain auto-join and invitations all feed one provisioning core that
// assigns roles and seats. See README.md; the binary is cmd/rollcall.
package rollcall
