package dhcp6

import (
	"net/netip"
)

// MaxRelays is how many RELAY-FORW/RELAY-REPL headers a Packet holds. RFC
// 8415 lets operators raise HOP_COUNT_LIMIT up to 255 but no deployment
// needs that; a deeper packet is rejected with ErrTooManyRelays.
const MaxRelays = 32

// relayHeaderLen is msg-type, hop-count, link-address and peer-address.
const relayHeaderLen = 34

// RelayHop is the header and options of one RELAY-FORW or RELAY-REPL
// message.
type RelayHop struct {
	Type     MessageType
	HopCount uint8
	LinkAddr netip.Addr
	PeerAddr netip.Addr
	// Options are the relay's options in wire order, referring into the
	// decoded buffer. They include the relay-msg option itself, because a
	// relay may put options after it and a run of options on the wire is
	// one slice; Packet.Msg already holds what relay-msg carries, so code
	// reading relay options just skips OptRelayMsg.
	Options Options
}

// Packet is a DHCPv6 datagram: the relay headers it arrived through, if
// any, and the client/server message inside them. Decode into one Packet
// value again and again; it holds no pointers of its own beyond the
// references into the last buffer decoded.
type Packet struct {
	// Relays[0] is the outermost relay (the one that sent the datagram to
	// the server), Relays[NumRelays-1] the relay next to the client.
	Relays    [MaxRelays]RelayHop
	NumRelays int
	Msg       Message
}

// Hops returns the relay headers, outermost first.
func (p *Packet) Hops() []RelayHop { return p.Relays[:p.NumRelays] }

// Decode decodes the datagram b, following RELAY-FORW/RELAY-REPL nesting
// through each relay-msg option down to the client/server message, and
// validates the framing of every option run on the way. It allocates
// nothing: every Options field and Msg.Options refer into b, so b must not
// be reused or changed while the Packet is in use.
//
// On error the Packet's content is unspecified.
func (p *Packet) Decode(b []byte) error {
	// Drop references into the previous buffer so it can be collected.
	clear(p.Relays[:min(max(p.NumRelays, 0), MaxRelays)])
	p.NumRelays = 0

	base := 0 // offset in b of the message being decoded
	msg := b
	for len(msg) > 0 && MessageType(msg[0]).IsRelay() {
		depth := p.NumRelays
		if depth == MaxRelays {
			return &Error{Err: ErrTooManyRelays, Offset: base, Depth: depth,
				Detail: "relay message nested deeper than 32 relay hops"}
		}
		if len(msg) < relayHeaderLen {
			return rebase(errorf(ErrTruncated, 0, 0, "%d bytes, shorter than the 34-byte relay header", len(msg)), base, depth)
		}
		h := &p.Relays[depth]
		h.Type = MessageType(msg[0])
		h.HopCount = msg[1]
		h.LinkAddr = netip.AddrFrom16([16]byte(msg[2:18]))
		h.PeerAddr = netip.AddrFrom16([16]byte(msg[18:34]))
		h.Options = Options(msg[relayHeaderLen:])
		inner, off, err := findRelayMsg(h.Options)
		if err != nil {
			return rebase(err, base+relayHeaderLen, depth)
		}
		p.NumRelays++
		base += relayHeaderLen + off
		msg = inner
	}
	if len(msg) == 0 && p.NumRelays > 0 {
		// Point at the option header, in the relay that holds it.
		return rebase(errorf(ErrTruncated, -optionHeaderLen, OptRelayMsg, "relay-msg option is empty"), base, p.NumRelays-1)
	}
	if err := p.Msg.Decode(msg); err != nil {
		return rebase(err, base, p.NumRelays)
	}
	return nil
}

// findRelayMsg validates a relay's options and returns the data of its one
// relay-msg option and the data's offset in opts.
func findRelayMsg(opts Options) (data []byte, dataOff int, err error) {
	found := false
	for off := 0; off < len(opts); {
		code, d, next, err := opts.Next(off)
		if err != nil {
			return nil, 0, err
		}
		if code == OptRelayMsg {
			if found {
				return nil, 0, errorf(ErrBadMessage, off, code, "second relay-msg option in one relay message")
			}
			found, data, dataOff = true, d, off+optionHeaderLen
		}
		off = next
	}
	if !found {
		return nil, 0, errorf(ErrBadMessage, len(opts), 0, "relay message has no relay-msg option")
	}
	return data, dataOff, nil
}

// AppendTo appends p in wire format to buf: each relay header with its
// options in their order, the relay-msg option of each holding the next
// level. A Packet from Decode comes out byte for byte as it went in.
// For a hand-made hop whose Options lack relay-msg, relay-msg is written
// after them.
func (p *Packet) AppendTo(buf []byte) ([]byte, error) {
	if p.NumRelays < 0 || p.NumRelays > MaxRelays {
		return nil, &Error{Err: ErrTooManyRelays, Offset: len(buf), Detail: "NumRelays out of range"}
	}
	if p.Msg.Type.IsRelay() {
		return nil, errorf(ErrBadMessage, len(buf), 0, "Msg.Type is %s; relays belong in Relays", p.Msg.Type)
	}
	b := Builder{buf: buf}
	for i := range p.NumRelays {
		h := &p.Relays[i]
		pre, _, err := splitAtRelayMsg(h.Options)
		if err != nil {
			return nil, rebase(err, 0, i)
		}
		b.startRelay(h.Type, h.HopCount, h.LinkAddr, h.PeerAddr)
		b.buf = append(b.buf, pre...)
		b.openRelayMsg()
	}
	if b.err != nil {
		return nil, b.err
	}
	b.buf = p.Msg.AppendTo(b.buf)
	for i := p.NumRelays - 1; i >= 0; i-- {
		b.closeOption()
		b.relays--
		_, post, _ := splitAtRelayMsg(p.Relays[i].Options)
		b.buf = append(b.buf, post...)
	}
	if b.err != nil {
		return nil, b.err
	}
	return b.buf, nil
}

// splitAtRelayMsg returns the options before and after the first relay-msg
// option (all of them before, when there is none).
func splitAtRelayMsg(opts Options) (pre, post Options, err error) {
	for off := 0; off < len(opts); {
		code, _, next, err := opts.Next(off)
		if err != nil {
			return nil, nil, err
		}
		if code == OptRelayMsg {
			return opts[:off], opts[next:], nil
		}
		off = next
	}
	return opts, nil, nil
}

func (b *Builder) startRelay(t MessageType, hops uint8, link, peer netip.Addr) {
	if b.err != nil {
		return
	}
	if !t.IsRelay() {
		b.fail(errorf(ErrBadValue, len(b.buf), 0, "relay hop of type %s; want RELAY_FORWARD or RELAY_REPLY", t))
		return
	}
	l, pa := link.As16(), peer.As16()
	b.buf = append(b.buf, byte(t), hops)
	b.buf = append(b.buf, l[:]...)
	b.buf = append(b.buf, pa[:]...)
}

// NewRelayBuilder starts a message of type t wrapped in relay headers, as a
// relay agent (or a test) sends it: for each hop, outermost first, a header
// from the hop's Type, HopCount, LinkAddr and PeerAddr, the hop's options
// other than relay-msg, and an open relay-msg option. Write the inner
// message's options, then Finish closes every level.
func NewRelayBuilder(buf []byte, hops []RelayHop, t MessageType, xid uint32) Builder {
	b := Builder{buf: buf}
	if len(hops) > MaxRelays {
		b.fail(&Error{Err: ErrTooManyRelays, Offset: len(buf), Detail: "more than 32 relay hops"})
		return b
	}
	for i := range hops {
		h := &hops[i]
		b.startRelay(h.Type, h.HopCount, h.LinkAddr, h.PeerAddr)
		for off := 0; off < len(h.Options) && b.err == nil; {
			code, data, next, err := h.Options.Next(off)
			if err != nil {
				b.fail(rebase(err, 0, i))
				break
			}
			if code != OptRelayMsg {
				b.AddOption(code, data)
			}
			off = next
		}
		b.openRelayMsg()
	}
	b.startMessage(t, xid)
	return b
}

// NewRelayReplyBuilder starts the reply to query q, of type t with
// transaction id xid. When q came through relays, the reply is wrapped in a
// RELAY-REPL for each of q's hops, outermost first, with the hop's
// hop-count, link-address and peer-address and, as RFC 8415 section 19.3
// requires, a copy of the hop's Interface-Id option when it had one. The
// caller writes the reply's options; Finish closes every relay-msg. For a
// direct query this is NewBuilder.
func NewRelayReplyBuilder(buf []byte, q *Packet, t MessageType, xid uint32) Builder {
	b := Builder{buf: buf}
	if q.NumRelays < 0 || q.NumRelays > MaxRelays {
		b.fail(&Error{Err: ErrTooManyRelays, Offset: len(buf), Detail: "query's NumRelays out of range"})
		return b
	}
	for i := range q.NumRelays {
		h := &q.Relays[i]
		b.startRelay(RelayRepl, h.HopCount, h.LinkAddr, h.PeerAddr)
		if id, ok := h.Options.Get(OptInterfaceID); ok {
			b.AddOption(OptInterfaceID, id)
		}
		b.openRelayMsg()
	}
	b.startMessage(t, xid)
	return b
}

// openRelayMsg opens a relay-msg option that Finish (or AppendTo) closes.
func (b *Builder) openRelayMsg() {
	b.StartOption(OptRelayMsg)
	if b.err == nil {
		b.relays++
	}
}
