package lease

// Writing Kea's lease file rows, and the escaping of text columns.

import "strconv"

const hexDigits = "0123456789abcdef"

// appendHex writes bytes as Kea does: lower-case, two digits each, colons
// between.
func appendHex(dst, b []byte) []byte {
	for i, c := range b {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xF])
	}
	return dst
}

// escapeTag starts an escaped byte: "&#x" and two hex digits, no ';'.
const escapeTag = "&#x"

// needsEscape says which bytes a text column writes as escapeTag + hex.
// Kea 2.2 escapes the separator and '&' (observed: "a,b" -> "a&#x2cb",
// "&" -> "&#x26"). Control characters are escaped too: Kea 2.2 writes
// them raw, which lets a newline in a hostname split a row in two, while
// its reader decodes the escaped form, as later Kea versions write it.
// Bytes above 0x7e stay raw, as Kea 2.2 writes them.
func needsEscape(c byte) bool {
	return c == ',' || c == '&' || c < 0x20 || c == 0x7f
}

func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if needsEscape(c) {
			dst = append(dst, escapeTag...)
			dst = append(dst, hexDigits[c>>4], hexDigits[c&0xF])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// unescape decodes escapeTag sequences; a tag not followed by two hex digits
// is kept as it is, as Kea does.
func unescape(f []byte) string {
	i := indexTag(f, 0)
	if i < 0 {
		return string(f)
	}
	out := make([]byte, 0, len(f))
	start := 0
	for i >= 0 {
		out = append(out, f[start:i]...)
		d := i + len(escapeTag)
		if d+2 <= len(f) && unhex(f[d]) >= 0 && unhex(f[d+1]) >= 0 {
			out = append(out, byte(unhex(f[d])<<4|unhex(f[d+1])))
			start = d + 2
		} else {
			out = append(out, escapeTag...)
			start = d
		}
		i = indexTag(f, start)
	}
	out = append(out, f[start:]...)
	return string(out)
}

func indexTag(f []byte, from int) int {
	for i := from; i+len(escapeTag) <= len(f); i++ {
		if f[i] == '&' && f[i+1] == '#' && f[i+2] == 'x' {
			return i
		}
	}
	return -1
}

// The column writers below start a column after the first: a comma, then
// the value.

func colUint(dst []byte, v uint64) []byte { return strconv.AppendUint(append(dst, ','), v, 10) }
func colHex(dst, b []byte) []byte         { return appendHex(append(dst, ','), b) }
func colText(dst []byte, s string) []byte { return appendEscaped(append(dst, ','), s) }

func colBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, ',', '1')
	}
	return append(dst, ',', '0')
}

// endRow writes the pool id column when the file has one, and the newline.
func endRow(dst []byte, poolIDColumn bool, poolID uint32) []byte {
	if poolIDColumn {
		dst = colUint(dst, uint64(poolID))
	}
	return append(dst, '\n')
}

// appendRow4 writes the lease as one line of Kea's DHCPv4 lease file,
// newline included.
func appendRow4(dst []byte, l *Lease4, poolID bool) []byte {
	dst = l.Addr.AppendTo(dst)
	dst = colHex(dst, l.HWAddr)
	dst = colHex(dst, l.ClientID)
	dst = colUint(dst, uint64(l.ValidLifetime))
	dst = strconv.AppendInt(append(dst, ','), l.Expire(), 10)
	dst = colUint(dst, uint64(l.SubnetID))
	dst = colBool(dst, l.FQDNFwd)
	dst = colBool(dst, l.FQDNRev)
	dst = colText(dst, l.Hostname)
	dst = colUint(dst, uint64(l.State))
	dst = colText(dst, l.UserContext)
	return endRow(dst, poolID, l.PoolID)
}

// appendRow6 writes the lease as one line of Kea's DHCPv6 lease file.
func appendRow6(dst []byte, l *Lease6, poolID bool) []byte {
	dst = l.Addr.AppendTo(dst)
	dst = colHex(dst, l.DUID)
	dst = colUint(dst, uint64(l.ValidLifetime))
	dst = strconv.AppendInt(append(dst, ','), l.Expire(), 10)
	dst = colUint(dst, uint64(l.SubnetID))
	dst = colUint(dst, uint64(l.PreferredLifetime))
	dst = colUint(dst, uint64(l.Type))
	dst = colUint(dst, uint64(l.IAID))
	dst = colUint(dst, uint64(l.PrefixLen))
	dst = colBool(dst, l.FQDNFwd)
	dst = colBool(dst, l.FQDNRev)
	dst = colText(dst, l.Hostname)
	dst = colHex(dst, l.HWAddr)
	dst = colUint(dst, uint64(l.State))
	dst = colText(dst, l.UserContext)
	// Kea leaves both hardware columns empty when there is no hardware
	// address (observed on Kea 2.2).
	if len(l.HWAddr) > 0 {
		dst = colUint(dst, uint64(l.HWType))
		dst = colUint(dst, uint64(l.HWAddrSource))
	} else {
		dst = append(dst, ',', ',')
	}
	return endRow(dst, poolID, l.PoolID)
}

// deletionRow4 is the row Kea appends when it deletes a lease: the lease as
// it was, with valid lifetime 0 (so expire = CLTT). Loading it removes the
// lease.
func deletionRow4(dst []byte, l *Lease4, poolID bool) []byte {
	d := *l
	d.ValidLifetime = 0
	return appendRow4(dst, &d, poolID)
}

// deletionRow6 also zeroes the preferred lifetime, as Kea 2.2 does.
func deletionRow6(dst []byte, l *Lease6, poolID bool) []byte {
	d := *l
	d.ValidLifetime = 0
	d.PreferredLifetime = 0
	return appendRow6(dst, &d, poolID)
}
