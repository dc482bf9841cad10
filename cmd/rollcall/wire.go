package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/rollcall/rollcall/api"
	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/httperr"
	"github.com/rollcall/rollcall/invites"
	"github.com/rollcall/rollcall/outbox"
	"github.com/rollcall/rollcall/scim"
	"github.com/rollcall/rollcall/seats"
	"github.com/rollcall/rollcall/server"
	"github.com/rollcall/rollcall/sso"
	"github.com/rollcall/rollcall/web"
	"github.com/rollcall/rollcall/webhooks"
)

// entrances builds every entrance on the core and returns the HTTP surfaces to mount.
func (a *app) entrances() ([]server.Mount, error) {
	cfg := a.cfg
	// Discovery asks SSO whether an org has a connection; SSO asks domains who holds a domain.
	var single *sso.Service
	dom, err := domains.New(a.svc, domains.Options{ResolverAddr: cfg.DNSResolver, LookupTimeout: cfg.DNSTimeout,
		ReverifyInterval: cfg.DomainReverify, Logger: a.logger,
		Connections: hasSSO(func(ctx context.Context, orgID string) (bool, error) { return single.HasSSO(ctx, orgID) })})
	if err != nil {
		return nil, err
	}
	a.run(func(ctx context.Context) { _ = dom.Run(ctx) })
	single, err = sso.New(a.svc, sso.Options{BaseURL: cfg.PublicURL, Realms: dom,
		ClockSkew: cfg.SSOClockSkew, AllowPrivateFetch: cfg.SSOAllowPrivateFetch, SPKeyGracePeriod: cfg.SSOSPKeyGracePeriod, Logger: a.logger})
	if err != nil {
		return nil, err
	}
	a.every(10*time.Minute, "sso purge", single.Purge)
	a.every(15*time.Minute, "sso metadata refresh", single.RefreshMetadata)
	quotas := map[seats.Plan]invites.Quota{}
	for plan, q := range cfg.InviteQuotas {
		quotas[plan] = invites.Quota{Lifetime: q.Lifetime, Daily: q.Daily}
	}
	inv := invites.NewService(a.svc, invites.Options{PublicURL: cfg.PublicURL, Quotas: quotas, Logger: a.logger})
	inv.AfterSignIn = append(inv.AfterSignIn, dom.OnSignIn)
	a.every(time.Hour, "sign-in purge", inv.Purge)
	memberBatch := scim.DefaultMemberBatch
	if a.db.Dialect() == "sqlite" {
		memberBatch = scim.SingleWriterMemberBatch
	}
	directory := scim.New(a.svc, scim.Options{RateLimitPerMinute: cfg.SCIMRateLimit, BaseURL: cfg.PublicURL + "/scim/v2",
		MemberBatch: memberBatch, Logger: a.logger})
	apiHandler := api.New(api.Options{Service: a.svc, Logger: a.logger, Domains: dom, Invites: inv, SSO: single,
		Extensions: []func(*api.Router){api.SCIMRoutes(directory)}})
	mounts := []server.Mount{
		{Pattern: "/api/v1", Handler: apiHandler},
		{Pattern: "/scim/v2", Handler: http.StripPrefix("/scim/v2", scim.NewHandler(directory))},
		{Pattern: sso.MountPath, Handler: single.Handler()},
	}
	signIn := inv.Handler()
	for _, p := range invites.Mounts {
		mounts = append(mounts, server.Mount{Pattern: p, Handler: signIn})
	}
	home := web.Handler(web.Options{Service: a.svc, Invites: inv, SSOStartPath: sso.MountPath + "/start", SSO: single,
		Domains: dom, Directory: directory, PublicURL: cfg.PublicURL,
		Webhooks:      web.WebhookConfig{URL: cfg.WebhookURL, Rotating: cfg.WebhookPreviousSecret != "", MaxAttempts: cfg.OutboxMaxAttempt},
		SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"), Logger: a.logger})
	return append(mounts, server.Mount{Pattern: web.ConsolePrefix, Handler: home}, server.Mount{Pattern: web.OperatorPrefix, Handler: home},
		server.Mount{Pattern: "/", Handler: home}), nil
}

// outbox starts the delivery workers: email (SMTP, or files with no SMTP host) and webhooks (the
// configured URL; without one the core queues no event, and the log settles any left from
// before). Each purges its sent messages past --outbox-retention.
func (a *app) outbox() error {
	cfg := a.cfg
	sender, err := invites.NewSender(invites.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, DropDir: filepath.Join(cfg.DataDir, "mail"),
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, TLS: cfg.SMTPTLS, From: cfg.SMTPFrom}, a.logger)
	if err != nil {
		return err
	}
	opts := outbox.Options{MaxAttempts: cfg.OutboxMaxAttempt, Retention: cfg.OutboxRetention, Logger: a.logger}
	mailer := invites.NewWorker(a.svc, sender, opts)
	var hooks outbox.Deliverer = webhooks.LogDeliverer{Logger: a.logger}
	if cfg.WebhookURL != "" {
		sender := webhooks.NewSender(cfg.WebhookURL, []byte(cfg.WebhookSecret))
		sender.Previous = []byte(cfg.WebhookPreviousSecret)
		hooks = sender
	}
	events := outbox.NewWorker(a.svc, hooks, opts)
	a.run(func(ctx context.Context) { _ = mailer.Run(ctx) })
	a.run(func(ctx context.Context) { _ = events.Run(ctx) })
	return nil
}

// run adds a background worker that runs until the server stops.
func (a *app) run(w func(ctx context.Context)) { a.workers = append(a.workers, w) }

// every adds a background worker that runs a clean-up job each interval until the server stops.
func (a *app) every(interval time.Duration, name string, job func(ctx context.Context) (int64, error)) {
	a.run(func(ctx context.Context) {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := job(ctx); err != nil {
					httperr.LogFailure(ctx, a.logger, name+" failed", err)
				} else if n > 0 {
					a.logger.DebugContext(ctx, name, "rows", n)
				}
			}
		}
	})
}
