package expr

import (
	"net/netip"
	"strconv"
	"strings"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tString
	tHex
	tInt
	tName // option name, only recognised right before ']' as Kea does
	tAddr
	// keywords and punctuation
	tEqual
	tOption
	tRelay4
	tRelay6
	tPeeraddr
	tLinkaddr
	tText
	tHexRepr
	tExists
	tPkt
	tIface
	tSrc
	tDst
	tLen
	tPkt4
	tMac
	tHlen
	tHtype
	tCiaddr
	tGiaddr
	tYiaddr
	tSiaddr
	tPkt6
	tMsgtype
	tTransid
	tVendor
	tVendorClass
	tData
	tEnterprise
	tSubstring
	tSplit
	tAll
	tConcat
	tIfelse
	tHexstring
	tAddrtotext
	tInt8totext
	tInt16totext
	tInt32totext
	tUint8totext
	tUint16totext
	tUint32totext
	tNot
	tAnd
	tOr
	tMember
	tDot
	tLParen
	tRParen
	tLBracket
	tRBracket
	tComma
	tStar
	tPlus
)

// keywords are matched like Kea's scanner does: as plain prefixes with no
// word boundary, the longest one winning, so "options" is "option" followed
// by a stray "s".
var keywords = [...]struct {
	s string
	k tokKind
}{
	{"==", tEqual}, {"option", tOption}, {"relay4", tRelay4}, {"relay6", tRelay6},
	{"peeraddr", tPeeraddr}, {"linkaddr", tLinkaddr}, {"text", tText}, {"hex", tHexRepr},
	{"exists", tExists}, {"pkt", tPkt}, {"iface", tIface}, {"src", tSrc}, {"dst", tDst},
	{"len", tLen}, {"pkt4", tPkt4}, {"mac", tMac}, {"hlen", tHlen}, {"htype", tHtype},
	{"ciaddr", tCiaddr}, {"giaddr", tGiaddr}, {"yiaddr", tYiaddr}, {"siaddr", tSiaddr},
	{"pkt6", tPkt6}, {"msgtype", tMsgtype}, {"transid", tTransid}, {"vendor", tVendor},
	{"vendor-class", tVendorClass}, {"data", tData}, {"enterprise", tEnterprise},
	{"substring", tSubstring}, {"split", tSplit}, {"all", tAll}, {"concat", tConcat},
	{"ifelse", tIfelse}, {"hexstring", tHexstring}, {"addrtotext", tAddrtotext},
	{"int8totext", tInt8totext}, {"int16totext", tInt16totext}, {"int32totext", tInt32totext},
	{"uint8totext", tUint8totext}, {"uint16totext", tUint16totext}, {"uint32totext", tUint32totext},
	{"not", tNot}, {"and", tAnd}, {"or", tOr}, {"member", tMember},
	{".", tDot}, {"(", tLParen}, {")", tRParen}, {"[", tLBracket}, {"]", tRBracket},
	{",", tComma}, {"*", tStar}, {"+", tPlus},
}

// describe names a token kind in error messages.
func (k tokKind) describe() string {
	switch k {
	case tEOF:
		return "end of expression"
	case tString:
		return "string"
	case tHex:
		return "hex string"
	case tInt:
		return "integer"
	case tName:
		return "option name"
	case tAddr:
		return "IP address"
	}
	for _, kw := range keywords {
		if kw.k == k {
			return strconv.Quote(kw.s)
		}
	}
	return "token"
}

type token struct {
	kind tokKind
	pos  int    // byte offset of the first byte
	end  int    // byte offset just past the token
	text string // the token as written; for tString without the quotes, for tName without trailing blanks
	num  int64  // value of tInt
	addr netip.Addr
}

type lexer struct {
	src string
	pos int
}

// next returns the next token, or an error for input Kea's scanner rejects.
func (l *lexer) next() (token, *Error) {
	for l.pos < len(l.src) && isBlank(l.src[l.pos]) {
		l.pos++
	}
	if l.pos == len(l.src) {
		return token{kind: tEOF, pos: l.pos, end: l.pos}, nil
	}
	s, start := l.src[l.pos:], l.pos

	// Every rule is tried and the longest match wins; on a tie the earlier
	// rule does (the order below is Kea's), which is how flex chooses.
	best, kind, consumed := 0, tEOF, 0
	try := func(n int, k tokKind, used int) {
		if n > best {
			best, kind, consumed = n, k, used
		}
	}
	if n := matchString(s); n > 0 {
		try(n, tString, n)
	}
	if n := matchHex(s); n > 0 {
		try(n, tHex, n)
	}
	if n := matchInt(s); n > 0 {
		try(n, tInt, n)
	}
	if n, used := matchName(s); n > 0 {
		try(n, tName, used)
	}
	if n := max(matchAddr4(s), matchAddr6(s)); n > 0 {
		try(n, tAddr, n)
	}
	for _, kw := range keywords {
		if strings.HasPrefix(s, kw.s) {
			try(len(kw.s), kw.k, len(kw.s))
		}
	}
	if best == 0 {
		return token{}, &Error{Expr: l.src, Pos: start, Msg: "invalid character " + strconv.QuoteRune(rune(s[0]))}
	}
	l.pos += consumed
	t := token{kind: kind, pos: start, end: l.pos, text: s[:consumed]}
	switch kind {
	case tString:
		t.text = s[1 : consumed-1]
	case tName:
		t.text = strings.TrimRight(t.text, " \t\n")
	case tInt:
		v, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return token{}, &Error{Expr: l.src, Pos: start, Msg: "integer " + t.text + " out of range"}
		}
		t.num = v
	case tAddr:
		a, err := netip.ParseAddr(t.text)
		if err != nil || a.Zone() != "" {
			return token{}, &Error{Expr: l.src, Pos: start, Msg: "invalid IP address " + t.text}
		}
		t.addr = a
	}
	return t, nil
}

func isBlank(c byte) bool   { return c == ' ' || c == '\t' || c == '\n' }
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isLetter(c byte) bool  { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isHexDig(c byte) bool  { return isDigit(c) || ((c|0x20) >= 'a' && (c|0x20) <= 'f') }
func isNameChr(c byte) bool { return isLetter(c) || isDigit(c) || c == '-' || c == '_' }

// matchString matches a quoted string: no escapes, no newline inside.
func matchString(s string) int {
	if s[0] != '\'' {
		return 0
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\'':
			return i + 1
		case '\n':
			return 0
		}
	}
	return 0
}

func matchHex(s string) int {
	if len(s) < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !isHexDig(s[2]) {
		return 0
	}
	i := 3
	for i < len(s) && isHexDig(s[i]) {
		i++
	}
	return i
}

func matchInt(s string) int {
	i := 0
	if s[0] == '-' {
		i++
	}
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i {
		return 0
	}
	return j
}

// matchName matches an option name followed by optional blanks and ']'.
// The ']' counts for the longest-match comparison (flex trailing context)
// but is not consumed: n is the match length, used what is consumed.
func matchName(s string) (n, used int) {
	if !isLetter(s[0]) {
		return 0, 0
	}
	i := 1
	for i < len(s) && isNameChr(s[i]) {
		i++
	}
	if c := s[i-1]; c == '-' || c == '_' {
		// A name must end in a letter or digit, and a shorter name would be
		// followed by a name character rather than ']'.
		return 0, 0
	}
	j := i
	for j < len(s) && isBlank(s[j]) {
		j++
	}
	if j == len(s) || s[j] != ']' {
		return 0, 0
	}
	return j + 1, j
}

func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// matchAddr4 matches four dot-separated digit runs; whether they form a
// valid address is checked after the match, as Kea does.
func matchAddr4(s string) int {
	i := 0
	for part := 0; part < 4; part++ {
		if part > 0 {
			if i >= len(s) || s[i] != '.' {
				return 0
			}
			i++
		}
		j := digits(s, i)
		if j == i {
			return 0
		}
		i = j
	}
	return i
}

// matchAddr6 matches hex digits, ':', hex digits, ':', then any run of hex
// digits, ':' and '.', validated after the match.
func matchAddr6(s string) int {
	i := 0
	for colon := 0; colon < 2; colon++ {
		for i < len(s) && isHexDig(s[i]) {
			i++
		}
		if i >= len(s) || s[i] != ':' {
			return 0
		}
		i++
	}
	for i < len(s) && (isHexDig(s[i]) || s[i] == ':' || s[i] == '.') {
		i++
	}
	return i
}
