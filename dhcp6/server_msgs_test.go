package dhcp6

import (
	"encoding/binary"
	"io"
	"log/slog"
	"net/netip"
)

// Helpers that build client and relay messages for the server tests.

// opt adds something to a message being built.
type opt func(b *Builder)

// srvMsg builds a client message of type t: the client-id (none when
// duid is nil) and then the given options.
func srvMsg(t MessageType, xid uint32, duid []byte, opts []opt) []byte {
	b := NewBuilder(nil, t, xid)
	if duid != nil {
		b.AddOption(OptClientID, duid)
	}
	for _, o := range opts {
		o(&b)
	}
	out, err := b.Finish()
	if err != nil {
		panic(err)
	}
	return out
}

func withServerID(id []byte) opt {
	return func(b *Builder) { b.AddOption(OptServerID, id) }
}

func withElapsed() opt { return func(b *Builder) { b.AddElapsedTime(0) } }

func withRapidCommit() opt { return func(b *Builder) { b.AddRapidCommit() } }

func withORO(codes ...OptionCode) opt { return func(b *Builder) { b.AddORO(codes...) } }

func withOption(code OptionCode, data []byte) opt {
	return func(b *Builder) { b.AddOption(code, data) }
}

// withNA adds an IA_NA holding the given addresses (lifetimes 0).
func withNA(iaid uint32, addrs ...string) opt {
	return func(b *Builder) {
		b.AddIANA(iaid, 0, 0)
		for _, a := range addrs {
			b.AddIAAddr(netip.MustParseAddr(a), 0, 0)
		}
		b.EndOption()
	}
}

// withNALifetimes adds an IA_NA with one address and the lifetimes the
// client asks for.
func withNALifetimes(iaid uint32, addr string, pref, valid uint32) opt {
	return func(b *Builder) {
		b.AddIANA(iaid, 0, 0)
		b.AddIAAddr(netip.MustParseAddr(addr), pref, valid)
		b.EndOption()
	}
}

func withTA(iaid uint32, addrs ...string) opt {
	return func(b *Builder) {
		b.AddIATA(iaid)
		for _, a := range addrs {
			b.AddIAAddr(netip.MustParseAddr(a), 0, 0)
		}
		b.EndOption()
	}
}

// withPD adds an IA_PD holding the given prefixes (lifetimes 0).
func withPD(iaid uint32, prefixes ...string) opt {
	return func(b *Builder) {
		b.AddIAPD(iaid, 0, 0)
		for _, p := range prefixes {
			b.AddIAPrefix(netip.MustParsePrefix(p), 0, 0)
		}
		b.EndOption()
	}
}

// withIAs copies the IA_NA, IA_TA and IA_PD options of a reply, as a
// client does from an ADVERTISE into its REQUEST.
func withIAs(reply Options) opt {
	return func(b *Builder) {
		for code, data := range reply.All() {
			if code == OptIANA || code == OptIATA || code == OptIAPD {
				b.AddOption(code, data)
			}
		}
	}
}

// withServerIDOf copies the server-id of a reply.
func withServerIDOf(reply Options) opt {
	return func(b *Builder) {
		if id, ok := reply.Get(OptServerID); ok {
			b.AddOption(OptServerID, id)
		}
	}
}

// relayHop is one relay wrapped around a message.
type relayHop struct {
	link, peer string
	opts       []opt
}

// srvRelay wraps a client message in RELAY-FORW headers; hops[0] is the
// relay next to the client, the last one the relay next to the server.
func srvRelay(msg []byte, hops ...relayHop) []byte {
	for i, h := range hops {
		b := Builder{}
		b.buf = append(b.buf, byte(RelayForw), byte(i))
		l, p := netip.MustParseAddr(h.link).As16(), netip.MustParseAddr(h.peer).As16()
		b.buf = append(b.buf, l[:]...)
		b.buf = append(b.buf, p[:]...)
		for _, o := range h.opts {
			o(&b)
		}
		b.AddOption(OptRelayMsg, msg)
		msg = b.buf
	}
	return msg
}

func duidLL(last byte) []byte { return AppendDUIDLL(nil, 1, []byte{2, 0, 0, 0, 5, last}) }

func duidLLT(last byte) []byte {
	return AppendDUIDLLT(nil, 1, 0x2a000000, []byte{2, 0, 0, 0, 6, last})
}

func duidEN(last byte) []byte { return AppendDUIDEN(nil, 9999, []byte{0xaa, last}) }

func duidUUID(last byte) []byte {
	var u [16]byte
	u[15] = last
	return AppendDUIDUUID(nil, u)
}

// vendorClass builds VENDOR_CLASS data with one item.
func vendorClass(ent uint32, item string) []byte {
	d := binary.BigEndian.AppendUint32(nil, ent)
	d = binary.BigEndian.AppendUint16(d, uint16(len(item)))
	return append(d, item...)
}

// quietLogger drops everything below warnings.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
