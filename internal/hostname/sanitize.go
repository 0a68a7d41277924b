package hostname

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Sanitizer is Kea's hostname sanitizer: hostname-char-set, a regular
// expression of what to replace, and hostname-char-replacement. A nil
// *Sanitizer (hostname-char-set "") leaves names alone.
type Sanitizer struct {
	re   *regexp.Regexp
	repl string // in the Latin-1 mapping of Scrub
}

// NewSanitizer compiles charSet; "" gives nil, no sanitizing, as in Kea.
func NewSanitizer(charSet, replacement string) (*Sanitizer, error) {
	if charSet == "" {
		return nil, nil
	}
	re, err := regexp.Compile(charSet)
	if err != nil {
		return nil, fmt.Errorf("hostname-char-set %q: %w", charSet, err)
	}
	return &Sanitizer{re: re, repl: latin1(replacement)}, nil
}

// Scrub replaces what the expression matches. Kea matches bytes, Go's
// regexp runes: each byte from 0x80 up is matched as the character of
// that value (Latin-1), so that "[^A-Za-z0-9.-]" replaces every byte of a
// UTF-8 character, and each replacement gives back the bytes it had.
func (s *Sanitizer) Scrub(name string) string {
	if s == nil {
		return name
	}
	if isASCII(name) && isASCII(s.repl) {
		return s.re.ReplaceAllString(name, s.repl)
	}
	return fromLatin1(s.re.ReplaceAllString(latin1(name), s.repl))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// latin1 maps each byte of s to the character of that value.
func latin1(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// fromLatin1 undoes latin1. Characters above 0xff cannot come from latin1
// and are kept in UTF-8.
func fromLatin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r <= 0xff {
			b = append(b, byte(r))
		} else {
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

// Qualify is Kea's D2ClientMgr::qualifyName: append the qualifying suffix
// (after a dot) to a partial name, then add the final dot (trailingDot) or
// take it away.
func Qualify(partial, suffix string, trailingDot bool) string {
	name := partial
	if suffix != "" {
		if name != "" && !strings.HasSuffix(name, ".") {
			name += "."
		}
		name += suffix
	}
	if trailingDot {
		if name != "" && !strings.HasSuffix(name, ".") {
			name += "."
		}
	} else {
		name = strings.TrimSuffix(name, ".")
	}
	return name
}

// Adjust is what Kea's D2ClientMgr::adjustDomainName does to a client's
// non-empty Client FQDN name: sanitize it (when s is not nil) label by
// label in its raw text form, qualify a partial name with suffix, and
// read the result back as a full name. The error is Kea's when the result
// is no name (an empty label after sanitizing, an empty name).
func Adjust(n Name, partial bool, s *Sanitizer, suffix string) (Name, error) {
	var text string
	if partial {
		text = n.PartialText()
	} else {
		text = n.Text()
	}
	if s != nil {
		labels := strings.Split(n.RawText(), ".")
		for i, l := range labels {
			labels[i] = s.Scrub(l)
		}
		text = strings.Join(labels, ".")
	}
	if partial {
		text = Qualify(text, suffix, true)
	}
	text = Trim(text)
	if text == "" {
		return Name{}, nameError("fully qualified name is empty")
	}
	out, _, err := ParseText(text)
	return out, err
}
