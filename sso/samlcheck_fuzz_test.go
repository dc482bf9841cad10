package sso

import (
	"fmt"
	"testing"

	"github.com/beevik/etree"

	"github.com/rollcall/rollcall/provisioning"
)

// samlSeed is a response with the given children of the Response, namespaces declared.
func samlSeed(children string) string {
	return `<samlp:Response xmlns:samlp="` + nsProtocol + `" xmlns:saml="` + nsAssertion + `" xmlns:ds="` + nsDSig +
		`" xmlns:xenc="` + nsXMLEnc + `" ID="r1" InResponseTo="req-1">` + children + `</samlp:Response>`
}

// FuzzInspectResponse: no input makes the pre-check panic; it refuses with a code the ACS
// answers as a client error (invalid or unauthorized), never an internal one; and what it lets
// through has, as etree reads it (crewjam verifies the signature on etree's tree), a
// samlp:Response root with exactly one assertion, directly under it: the two XML parsers agree
// on the shape a signature-wrapping attack changes.
func FuzzInspectResponse(f *testing.F) {
	signed := `<saml:Assertion ID="a1"><ds:Signature><ds:SignedInfo/></ds:Signature><saml:Subject/></saml:Assertion>`
	for _, seed := range []string{
		samlSeed(signed),
		samlSeed(`<ds:Signature/>` + `<saml:Assertion ID="a1"><saml:Subject/></saml:Assertion>`),
		samlSeed(`<saml:EncryptedAssertion><xenc:EncryptedData><xenc:EncryptionMethod Algorithm="` + nsXMLEnc + `aes128-cbc"/></xenc:EncryptedData></saml:EncryptedAssertion>`),
		samlSeed(`<saml:EncryptedAssertion><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="` + nsXMLEnc + `rsa-1_5"/></xenc:EncryptedKey></saml:EncryptedAssertion>`),
		samlSeed(signed + signed), samlSeed(`<samlp:Extensions>` + signed + `</samlp:Extensions>`), samlSeed(``),
		samlSeed(`<saml:Assertion ID="a1"><saml:Subject/></saml:Assertion>`),
		`<!DOCTYPE x [<!ENTITY e "x">]>` + samlSeed(signed), `<?xml version="1.0"?>` + samlSeed(signed),
		`<Response xmlns="` + nsProtocol + `"><Assertion xmlns="` + nsAssertion + `"><Signature xmlns="` + nsDSig + `"/></Assertion></Response>`,
		`<samlp:Response xmlns:samlp="` + nsAssertion + `"><samlp:Assertion/></samlp:Response>`,
		`<x:Response xmlns:x="` + nsProtocol + `"><y:Assertion xmlns:y="` + nsAssertion + `"><z:Signature xmlns:z="` + nsDSig + `"/></y:Assertion></x:Response>`,
		`<samlp:Response xmlns:samlp="` + nsProtocol + `"><saml:Assertion xmlns:saml="` + nsAssertion + `" xmlns:saml2="` + nsAssertion + `"><ds:Signature xmlns:ds="` + nsDSig + `"/><saml2:Assertion/></saml:Assertion></samlp:Response>`,
		samlSeed(signed) + `<extra/>`, `<a>`, ``, `not xml`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, err := inspectResponse(raw)
		if err != nil {
			if c := provisioning.ErrorCode(err); c != provisioning.CodeInvalid && c != provisioning.CodeUnauthorized {
				t.Fatalf("refused with %s (%v), want invalid or unauthorized", c, err)
			}
			return
		}
		if why := etreeShape(raw); why != "" {
			t.Fatalf("accepted, but as etree reads it %s:\n%s", why, raw)
		}
	})
}

// etreeShape says what is wrong with a response's shape as etree reads it: "" when it has a
// samlp:Response root with one assertion (plain or encrypted) directly under it, or when etree
// cannot read it (crewjam then refuses it).
func etreeShape(raw []byte) string {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return ""
	}
	root := doc.Root()
	if root.NamespaceURI() != nsProtocol || root.Tag != "Response" {
		return fmt.Sprintf("the root is {%s}%s", root.NamespaceURI(), root.Tag)
	}
	count, nested := 0, false
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		for _, c := range el.ChildElements() {
			if c.NamespaceURI() == nsAssertion && (c.Tag == "Assertion" || c.Tag == "EncryptedAssertion") {
				count++
				nested = nested || el != root
			}
			walk(c)
		}
	}
	walk(root)
	switch {
	case count != 1:
		return fmt.Sprintf("it holds %d assertions", count)
	case nested:
		return "its assertion is not directly under the Response"
	}
	return ""
}
