package domains

import (
	_ "embed"
	"net"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/rollcall/rollcall/provisioning"
)

// maxNameLength is the longest domain name DNS allows, in ASCII form.
const maxNameLength = 253

var profile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.ValidateLabels(true),
	idna.StrictDomainName(true), idna.VerifyDNSLength(true), idna.Transitional(false))

// Normalize turns what an admin typed into the stored form of a domain: trimmed, lower case, no
// trailing dot, internationalized names in punycode (bücher.de → xn--bcher-kva.de). It checks the
// syntax only; Validate also refuses names no org may claim.
func Normalize(s string) (string, error) {
	n := strings.TrimSuffix(strings.TrimSpace(s), ".")
	switch {
	case n == "":
		return "", provisioning.Invalidf("name", "a domain name is required, such as example.com")
	case len(n) > maxNameLength:
		return "", provisioning.Invalidf("name", "the domain name is longer than %d characters", maxNameLength)
	case strings.ContainsAny(n, "@/: \t*"):
		return "", provisioning.Invalidf("name", "%q is not a domain name: give the bare domain, such as example.com, without user, scheme, path or wildcard", s)
	}
	for _, label := range strings.Split(n, ".") {
		if len(label) > 63 {
			return "", provisioning.Invalidf("name", "each part of a domain name is at most 63 characters")
		}
	}
	ascii, err := profile.ToASCII(n)
	if err != nil {
		return "", provisioning.Invalidf("name", "%q is not a valid domain name", s)
	}
	if len(ascii) > maxNameLength {
		return "", provisioning.Invalidf("name", "the domain name is longer than %d characters once encoded", maxNameLength)
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", provisioning.Invalidf("name", "%q is not a full domain name: add its top-level domain, such as example.com", s)
	}
	if net.ParseIP(ascii) != nil || strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", provisioning.Invalidf("name", "%q is an IP address, not a domain name", s)
	}
	return ascii, nil
}

// Validate normalizes a domain and refuses what no org may claim: public suffixes (com, co.uk,
// github.io) and public email providers (gmail.com, outlook.com, …, see public_mail_domains.txt).
func Validate(s string) (string, error) {
	name, err := Normalize(s)
	if err != nil {
		return "", err
	}
	if suffix, _ := publicsuffix.PublicSuffix(name); suffix == name {
		return "", provisioning.Invalidf("name", "%s is a public suffix shared by many owners; add your own domain registered under it", name)
	}
	if IsPublicMailDomain(name) {
		return "", provisioning.Invalidf("name", "%s is a public email provider: anyone can get an address there, so it cannot be claimed by an org", name)
	}
	return name, nil
}

// DisplayName is the Unicode form of a stored domain name, for people to read.
func DisplayName(name string) string {
	u, err := idna.ToUnicode(name)
	if err != nil {
		return name
	}
	return u
}

//go:embed public_mail_domains.txt
var publicMailList string

// publicMail holds the parsed list: exact domains and brands listed as "brand.*".
var publicMail = parsePublicMail(publicMailList)

type mailList struct {
	exact  map[string]bool
	brands map[string]bool
}

func parsePublicMail(text string) mailList {
	l := mailList{exact: map[string]bool{}, brands: map[string]bool{}}
	for _, line := range strings.Split(text, "\n") {
		line = strings.ToLower(strings.TrimSpace(line))
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasSuffix(line, ".*"):
			l.brands[strings.TrimSuffix(line, ".*")] = true
		default:
			l.exact[line] = true
		}
	}
	return l
}

// IsPublicMailDomain reports whether a normalized domain, or a domain it is under, belongs to a
// public email provider.
func IsPublicMailDomain(name string) bool {
	for d := name; d != ""; {
		if publicMail.exact[d] {
			return true
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			break
		}
		d = rest
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil {
		return false
	}
	brand, _, _ := strings.Cut(site, ".")
	return publicMail.brands[brand]
}
