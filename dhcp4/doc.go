// Package dhcp4 reads and writes DHCPv4 messages (RFC 2131, RFC 2132 and
// the option RFCs named on each accessor).
//
// The codec follows golang.org/x/net/dns/dnsmessage: a Message decodes in
// place, keeping references into the caller's buffer, and is reused from
// packet to packet; a Builder appends a message to the caller's buffer.
// Decoding and building a typical DISCOVER, REQUEST or ACK allocate
// nothing.
//
// Decoding:
//
//	var m dhcp4.Message // reuse it for every packet
//	if err := m.Decode(pkt); err != nil {
//		// errors.Is(err, dhcp4.ErrBadOption) etc. tell why
//		return err
//	}
//	t, _ := m.MessageType()
//	ip, ok := m.RequestedIP()
//	for i := range m.NumOptions() {
//		code, data := m.OptionAt(i) // wire order, RFC 3396 instances joined
//	}
//
// Building a reply:
//
//	b := dhcp4.NewBuilder(buf[:0], dhcp4.Header{Op: dhcp4.BootReply, ...})
//	b.SetMaxSize(576) // or the client's option 57
//	b.AddMessageType(dhcp4.Ack)
//	b.AddIP(dhcp4.OptServerID, serverIP)
//	b.AddUint32(dhcp4.OptLeaseTime, 3600)
//	reply, err := b.Finish() // End, overload if needed, padding to 300 bytes
//
// Decode checks the framing of every option and the content of the options
// that have typed accessors; everything else is reachable as bytes through
// Option and OptionAt.
//
// # Adding an option
//
// An option whose value is opaque or a plain number or address list needs
// nothing: read it with Option, IP, AppendIPs or UintN, write it with
// AddOption, AddIP, AddIPs or AddUintN. Give it a name in options.go.
//
// An option with structure gets its own file, option_<name>.go, holding:
//
//   - the value type and a Parse function that checks it and names what is
//     wrong and at which byte (see option_routes.go);
//   - a Message accessor returning (value, bool);
//   - if the server should refuse a message carrying a malformed instance,
//     a case in checkData (options.go) calling the same check, so Decode
//     reports it and the accessor can trust the data;
//   - a Builder method composing it in place with StartOption, the Append
//     methods and EndOption, so that building needs no temporary slice;
//   - table tests for good and malformed values and a round trip through
//     Builder and Decode, in option_<name>_test.go (fixtures_test.go has
//     wantBadOption, which also checks that Decode refuses what Parse
//     refuses, and decodeBuilt).
//
// Keep accessors and adders free of allocations: take a destination slice
// from the caller when a value has a variable number of parts (as
// ClasslessRoutes does) and never size an allocation from a length read
// off the wire.
package dhcp4
