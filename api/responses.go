package api

import (
	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/provisioning"
	"github.com/rollcall/rollcall/sso"
)

// The answers below wrap core values under a named key, as the handlers render them; the same
// types are declared as Route.Response, so the document shows exactly what is sent.

type actorResponse struct {
	Actor provisioning.Actor `json:"actor"`
}

type orgsResponse struct {
	Orgs []provisioning.Org `json:"orgs"`
}

type orgResponse struct {
	Org provisioning.OrgView `json:"org"`
}

type settingsResponse struct {
	Settings provisioning.Settings `json:"settings"`
}

type contactResponse struct {
	Contact provisioning.Contact `json:"contact"`
}

// memberListResponse carries nextCursor only when the page is full.
type memberListResponse struct {
	Members    []provisioning.Member `json:"members"`
	NextCursor string                `json:"nextCursor,omitempty"`
}

type memberResponse struct {
	Member provisioning.Member `json:"member"`
}

type seatsResponse struct {
	Seats provisioning.SeatReport `json:"seats"`
}

// auditResponse carries nextBefore only when the page is full.
type auditResponse struct {
	Events     []provisioning.AuditEvent `json:"events"`
	NextBefore string                    `json:"nextBefore,omitempty"`
}

type tokensResponse struct {
	Tokens []provisioning.APIToken `json:"tokens"`
}

type newTokenResponse struct {
	Token provisioning.NewToken `json:"token"`
}

// invitationListResponse carries nextCursor only when the page is full.
type invitationListResponse struct {
	Invitations []provisioning.Invitation `json:"invitations"`
	NextCursor  string                    `json:"nextCursor,omitempty"`
}

type invitedResponse struct {
	Invitation provisioning.Invitation `json:"invitation"`
	Link       string                  `json:"link"`
	Refreshed  bool                    `json:"refreshed"`
	Quota      invites.QuotaStatus     `json:"quota"`
}

type resentResponse struct {
	Invitation provisioning.Invitation `json:"invitation"`
	Link       string                  `json:"link"`
}

type invitationResponse struct {
	Invitation provisioning.Invitation `json:"invitation"`
}

type quotaResponse struct {
	Quota invites.QuotaStatus `json:"quota"`
}

type linksResponse struct {
	Links []invites.LinkInfo `json:"links"`
}

type linkResponse struct {
	Link invites.LinkInfo `json:"link"`
}

type domainsResponse struct {
	Domains []domains.Info `json:"domains"`
}

type domainResponse struct {
	Domain domains.Info `json:"domain"`
}

type connectionsResponse struct {
	Connections []sso.Connection `json:"connections"`
}

type connectionResponse struct {
	Connection sso.Connection `json:"connection"`
}

type directoryTokensResponse struct {
	Tokens []provisioning.DirectoryToken `json:"tokens"`
}

type directoryTokenResponse struct {
	Token provisioning.DirectoryToken `json:"token"`
}

type mappingsResponse struct {
	Mappings []provisioning.GroupRoleMapping `json:"mappings"`
}

type mappingResponse struct {
	Mapping provisioning.GroupRoleMapping `json:"mapping"`
}
