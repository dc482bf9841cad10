package domains_test

import (
	"strings"
	"testing"

	"github.com/rollcall/rollcall/domains"
	"github.com/rollcall/rollcall/provisioning"
)

func TestValidateNormalizes(t *testing.T) {
	for in, want := range map[string]string{
		"Acme.COM":          "acme.com",
		"  acme.com.  ":     "acme.com",
		"eng.Acme.co.uk":    "eng.acme.co.uk",
		"bücher.de":         "xn--bcher-kva.de",
		"BÜCHER.de":         "xn--bcher-kva.de",
		"xn--bcher-kva.de":  "xn--bcher-kva.de",
		"gmx-solutions.com": "gmx-solutions.com",
		"my-live.com":       "my-live.com",
		"example.internal":  "example.internal",
	} {
		got, err := domains.Validate(in)
		if err != nil || got != want {
			t.Errorf("Validate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if got := domains.DisplayName("xn--bcher-kva.de"); got != "bücher.de" {
		t.Errorf("DisplayName = %q", got)
	}
}

func TestValidateRefuses(t *testing.T) {
	for in, says := range map[string]string{
		"":                                       "required",
		"acme":                                   "not a full domain",
		"a..com":                                 "not a valid domain",
		"-acme.com":                              "not a valid domain",
		"acme_corp.com":                          "not a valid domain",
		"ann@acme.com":                           "not a domain name",
		"https://acme.com":                       "not a domain name",
		"acme.com/path":                          "not a domain name",
		"*.acme.com":                             "not a domain name",
		"acme .com":                              "not a domain name",
		strings.Repeat("a", 64) + ".com":         "at most 63",
		strings.Repeat("abcdefghi.", 26) + "com": "longer than 253",
		"10.0.0.1":                               "IP address",
		"com":                                    "not a full domain",
		"co.uk":                                  "public suffix",
		"github.io":                              "public suffix",
		"gmail.com":                              "public email provider",
		"GMail.com.":                             "public email provider",
		"mail.gmail.com":                         "public email provider",
		"outlook.com":                            "public email provider",
		"hotmail.co.uk":                          "public email provider",
		"yahoo.co.jp":                            "public email provider",
		"icloud.com":                             "public email provider",
		"proton.me":                              "public email provider",
		"pm.me":                                  "public email provider",
		"gmx.de":                                 "public email provider",
		"gmx.net":                                "public email provider",
		"yandex.ru":                              "public email provider",
		"web.de":                                 "public email provider",
		"qq.com":                                 "public email provider",
		"fastmail.com":                           "public email provider",
	} {
		_, err := domains.Validate(in)
		if provisioning.ErrorCode(err) != provisioning.CodeInvalid || provisioning.ErrorField(err) != "name" ||
			!strings.Contains(provisioning.ErrorMessage(err), says) {
			t.Errorf("Validate(%q) = %v; want invalid name saying %q", in, err, says)
		}
	}
}

func TestNewResolverAddress(t *testing.T) {
	for _, ok := range []string{"", "127.0.0.1:5353", "10.0.0.2", "[::1]:53", "dns.internal:53"} {
		if _, err := domains.NewResolver(ok, 0); err != nil {
			t.Errorf("NewResolver(%q): %v", ok, err)
		}
	}
	if _, err := domains.NewResolver("http://x/y", 0); err == nil {
		t.Error("a URL is not a resolver address")
	}
}
