// Package expr implements the part of Kea's client classification expression
// language that leasehold supports: the "test" of a client class, and the
// string-valued expressions Kea uses elsewhere (flex-id, computed options).
//
// An expression is parsed once, at configuration time, into a small postfix
// program, and evaluated per packet against a Packet, an interface the
// DHCPv4 and DHCPv6 servers implement on their decoded messages. Values are
// byte strings as in Kea: conditions are the strings "true" and "false",
// integer literals and integer packet fields are 4 bytes big-endian, address
// literals are their 4 or 16 bytes, and a missing option reads as "" (or
// "false" for .exists). Evaluation does not allocate once its working memory
// (a Scratch, pooled by Eval) has grown to the expression's needs.
//
// Supported, with Kea 2.2's syntax and semantics: string, hex, integer and
// IP address literals; option[code or name].hex/.text/.exists;
// relay4[code].hex/.text/.exists (DHCPv4); relay6[nest].option[code].hex/
// .text/.exists and relay6[nest].peeraddr/.linkaddr (DHCPv6); pkt.iface,
// .src, .dst, .len; pkt4.mac, .hlen, .htype, .ciaddr, .giaddr, .yiaddr,
// .siaddr, .msgtype, .transid; pkt6.msgtype, .transid; ==, and, or, not,
// parentheses, member('class'), substring, split, concat and +, ifelse,
// hexstring, addrtotext, int8/16/32totext, uint8/16/32totext. Kea 2.2 has
// no true, false, known or unknown keywords, so neither does this package.
//
// Everything Kea 2.2 accepts is either implemented with Kea's semantics or
// refused at parse time with an error wrapping ErrUnsupported and reading
// "unsupported: <construct> in expression "<text>"": sub-options
// (option[N].option[M]), vendor[..] and vendor-class[..], and .text of
// options Kea decodes with a typed definition (Format). Input Kea rejects is
// a syntax error that gives the column.
//
// A test, parsed for DHCPv4 and evaluated against a decoded message m that
// implements Packet:
//
//	e, err := expr.Parse("substring(option[61].hex, 0, 3) == 0x010203 or member('KNOWN')", expr.V4,
//		expr.ClassDefined(defined))
//	if err != nil {
//		return fmt.Errorf("client-classes[0].test: %w", err)
//	}
//	match, err := e.Eval(m)
package expr
