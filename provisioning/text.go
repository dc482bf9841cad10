package provisioning

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength caps a person's first or last name, in characters.
const MaxNameLength = 100

// CleanDisplay makes text from outside (an IdP's claims, a directory's attributes, a form) safe
// to show and to log: terminal escape sequences, control characters and invisible formatting
// (zero-width and bidirectional controls) are removed, runs of white space become one space,
// the ends are trimmed, and at most max characters are kept.
func CleanDisplay(s string, max int) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == 0x1b:
			i += escapeLength(s[i:])
			continue
		case r == utf8.RuneError && size == 1, unicode.IsControl(r) && !unicode.IsSpace(r), invisible(r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if utf8.RuneCountInString(out) > max {
		out = string([]rune(out)[:max])
	}
	return strings.TrimSpace(out)
}

// escapeLength is the length of the rest of an escape sequence after ESC: a CSI sequence
// (ESC [ parameters final-byte), an OSC sequence (ESC ] … BEL or ESC \), or one character.
func escapeLength(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '[':
		for i := 1; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']':
		for i := 1; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	return 1
}

// invisible reports whether r renders as nothing or reorders text: Unicode format characters
// (zero-width spaces and joiners, bidirectional controls, the byte-order mark, soft hyphen) and
// the variation selectors.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) || r == 0x115f || r == 0x1160 || r == 0x3164 || r == 0xffa0
}
