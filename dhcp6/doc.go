// Package dhcp6 reads and writes DHCPv6 messages (RFC 8415): client and
// server messages, RELAY-FORW/RELAY-REPL nesting up to 32 hops, and typed
// access to the options a server needs.
//
// The codec follows golang.org/x/net/dns/dnsmessage: decoding walks the
// caller's buffer and keeps references into it instead of copying, and
// building appends into a caller's buffer. Neither allocates for a normal
// exchange, so a server can decode into one reused Packet and build into a
// pooled buffer. Counts and lengths from the wire never size an
// allocation, and malformed input gives an *Error naming what is wrong and
// where (offset, option code, relay depth), never a panic.
//
// Decoding a query and building the reply:
//
//	var q dhcp6.Packet
//	if err := q.Decode(datagram); err != nil {
//		return err // drop; errors.Is(err, dhcp6.ErrTruncated) etc. for counters
//	}
//	for code, data := range q.Msg.Options.All() {
//		if code == dhcp6.OptIANA {
//			ia, err := dhcp6.ParseIANA(data)
//			...
//		}
//	}
//	b := dhcp6.NewRelayReplyBuilder(buf[:0], &q, dhcp6.Reply, q.Msg.TransactionID)
//	b.AddIANA(ia.IAID, 1800, 2880)
//	b.AddIAAddr(addr, 3600, 7200)
//	b.EndOption()
//	reply, err := b.Finish()
//
// NewRelayReplyBuilder wraps the reply in one RELAY-REPL per relay hop the
// query came through (none for a direct query), echoing each hop's
// Interface-Id as RFC 8415 requires.
//
// # Options
//
// Options is the raw option run of a message, relay hop or container option
// (IA_NA, IA_PD, IAADDR, IAPREFIX, VENDOR_OPTS). Get finds the first
// instance of a code; Next and All walk every option in order, which is how
// repeated options (several IA_NA) are read. Packet.Decode validates the
// framing of every run it returns, and the Parse functions validate the
// runs nested in the options they decode. An option's content is checked
// only when its Parse function is called, so a server pays for the options
// it reads, and an option it does not understand passes through untouched.
//
// # Adding an option
//
// To give an option typed access:
//
//  1. Add its OptionCode constant in options.go and its registry name to
//     optionNames, so errors name it.
//  2. In option_<topic>.go, write ParseX(data []byte) (X, error) returning a
//     value type whose slices refer into data. Check every length before
//     reading, report problems with errorf(ErrBadOption, offset, OptX, ...),
//     and never size an allocation from a wire count. If sub-options follow
//     a fixed header, subOptions checks the header's length and validates
//     them.
//  3. Write the builder side as a Builder method: AddX for a whole option
//     (StartOption, Write* calls, EndOption), or StartX leaving it open when
//     it carries sub-options.
//  4. Add a table test with good and malformed data, a round trip through
//     the builder, and seed the fuzz targets if it nests options.
package dhcp6
