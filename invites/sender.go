package invites

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Sender delivers one email.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// SMTPConfig is how Rollcall reaches its mail server.
type SMTPConfig struct {
	// Host is the SMTP server; empty means no SMTP: each mail is written to a file in DropDir.
	Host string
	// DropDir is where mail goes without a Host, one file per mail (default ./data/mail).
	DropDir string
	// Port defaults to 587 for starttls, 465 for tls and 25 for none.
	Port     int
	Username string
	Password string
	// TLS is starttls (default; the server must offer it), tls (implicit TLS) or none.
	TLS string
	// From is the sender address, e.g. "Rollcall <rollcall@example.com>".
	From string
	// Timeout bounds one delivery (default 30s).
	Timeout time.Duration
}

// NewSender returns an SMTP sender for cfg, or a DropSender when cfg.Host is empty.
func NewSender(cfg SMTPConfig, logger *slog.Logger) (Sender, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Host == "" {
		if cfg.DropDir == "" {
			cfg.DropDir = filepath.Join("data", "mail")
		}
		return DropSender{Dir: cfg.DropDir, Logger: logger}, nil
	}
	if cfg.From == "" {
		cfg.From = "rollcall@" + cfg.Host
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithTimeout(cfg.Timeout)}
	mode := strings.ToLower(cfg.TLS)
	switch mode {
	case "", "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithPort(portOr(cfg.Port, 587)))
	case "tls":
		opts = append(opts, gomail.WithSSL(), gomail.WithPort(portOr(cfg.Port, 465)))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithPort(portOr(cfg.Port, 25)))
	default:
		return nil, fmt.Errorf("smtp tls mode %q: use starttls, tls or none", cfg.TLS)
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return &SMTPSender{host: cfg.Host, from: cfg.From, opts: opts}, nil
}

func portOr(p, def int) int {
	if p > 0 {
		return p
	}
	return def
}

// SMTPSender delivers mail through an SMTP server with github.com/wneessen/go-mail, one
// connection per message.
type SMTPSender struct {
	host string
	from string
	opts []gomail.Option
}

// Send delivers m with a plain-text body and an HTML alternative.
func (s *SMTPSender) Send(ctx context.Context, m Mail) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	return client.DialAndSendWithContext(ctx, msg)
}

// DropSender writes each mail to its own file in Dir, readable by the server's user only: the
// zero-setup default, so sign-in and invitations work end to end without a mail server. The log
// names the file, never the mail's links.
type DropSender struct {
	Dir    string
	Logger *slog.Logger
}

// Send writes m to a new file in Dir.
func (d DropSender) Send(ctx context.Context, m Mail) error {
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "To: %s\nSubject: %s\n\n%s", m.To, m.Subject, m.Text)
	f, err := os.CreateTemp(d.Dir, time.Now().UTC().Format("20060102T150405")+"-"+safeName(m.Template)+"-*.txt")
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	d.Logger.InfoContext(ctx, "email written to a file (no SMTP server configured)",
		"to", m.To, "subject", m.Subject, "file", f.Name())
	return nil
}

// safeName keeps letters, digits and dashes of s, for a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, s)
}
