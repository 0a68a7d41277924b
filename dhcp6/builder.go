package dhcp6

import (
	"net/netip"
)

// maxOpen bounds the options a Builder can have open at once: one relay-msg
// per relay hop plus room for the deepest nesting a message needs
// (IA_PD > IAPREFIX > PD_EXCLUDE or STATUS_CODE, vendor options).
const maxOpen = MaxRelays + 8

// Builder writes a DHCPv6 message by appending to a caller's buffer. Options
// are written in the order added; an option that holds options (IA_NA,
// IA_PD, IAADDR, vendor options, relay-msg) is opened with StartOption,
// filled, and closed with EndOption, which writes its length into the
// header reserved by StartOption, so no temporary buffer is needed.
//
// The first error sticks: later calls do nothing and Finish returns it.
// That keeps building code a straight sequence of calls with one check.
//
// The zero Builder writes a bare run of options without a message header,
// for relay options or vendor sub-options kept apart from a message.
//
// A Builder allocates only when the buffer's capacity is too small for the
// message (append grows it); give it a buffer of cap 1500 or more and it
// allocates nothing.
type Builder struct {
	buf []byte
	// open holds the buffer offset of the header of every open option,
	// innermost last.
	open  [maxOpen]int32
	depth int
	// relays counts the relay-msg options at the bottom of open that the
	// builder itself opened and Finish closes.
	relays int
	err    error
}

// NewBuilder starts a client/server message of type t with transaction id
// xid (low 24 bits) at the end of buf. Relay messages are built with
// NewRelayBuilder or NewRelayReplyBuilder instead.
func NewBuilder(buf []byte, t MessageType, xid uint32) Builder {
	b := Builder{buf: buf}
	b.startMessage(t, xid)
	return b
}

func (b *Builder) startMessage(t MessageType, xid uint32) {
	if t.IsRelay() {
		b.fail(errorf(ErrBadValue, len(b.buf), 0, "%s needs a relay header: use NewRelayBuilder", t))
		return
	}
	if xid > 0xffffff {
		b.fail(errorf(ErrBadValue, len(b.buf), 0, "transaction id %#x does not fit 24 bits", xid))
		return
	}
	b.buf = appendMessageHeader(b.buf, t, xid)
}

func (b *Builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Err returns the first error met so far.
func (b *Builder) Err() error { return b.err }

// AddOption writes a whole option with the given data.
func (b *Builder) AddOption(code OptionCode, data []byte) {
	if b.err != nil {
		return
	}
	if len(data) > 0xffff {
		b.fail(errorf(ErrOptionTooLong, len(b.buf), code, "data of %d bytes does not fit the 16-bit length", len(data)))
		return
	}
	b.buf = append(b.buf, byte(code>>8), byte(code), byte(len(data)>>8), byte(len(data)))
	b.buf = append(b.buf, data...)
}

// StartOption opens an option: what is written until the matching EndOption
// is its data.
func (b *Builder) StartOption(code OptionCode) {
	if b.err != nil {
		return
	}
	if b.depth == maxOpen {
		b.fail(errorf(ErrNesting, len(b.buf), code, "more than %d options open at once", maxOpen))
		return
	}
	b.open[b.depth] = int32(len(b.buf))
	b.depth++
	b.buf = append(b.buf, byte(code>>8), byte(code), 0, 0)
}

// EndOption closes the option opened last, writing its length.
func (b *Builder) EndOption() {
	if b.err != nil {
		return
	}
	if b.depth == b.relays {
		b.fail(errorf(ErrNesting, len(b.buf), 0, "EndOption without a matching StartOption"))
		return
	}
	b.closeOption()
}

func (b *Builder) closeOption() {
	b.depth--
	h := int(b.open[b.depth])
	n := len(b.buf) - h - optionHeaderLen
	if n > 0xffff {
		b.fail(errorf(ErrOptionTooLong, h, OptionCode(be16(b.buf[h:])), "data of %d bytes does not fit the 16-bit length", n))
		return
	}
	b.buf[h+2] = byte(n >> 8)
	b.buf[h+3] = byte(n)
}

// WriteBytes appends raw bytes: the data of an option opened with
// StartOption, for options without a typed method.
func (b *Builder) WriteBytes(p []byte) {
	if b.err == nil {
		b.buf = append(b.buf, p...)
	}
}

// WriteUint8 appends one byte of option data.
func (b *Builder) WriteUint8(v uint8) {
	if b.err == nil {
		b.buf = append(b.buf, v)
	}
}

// WriteUint16 appends v in network byte order.
func (b *Builder) WriteUint16(v uint16) {
	if b.err == nil {
		b.buf = append(b.buf, byte(v>>8), byte(v))
	}
}

// WriteUint32 appends v in network byte order.
func (b *Builder) WriteUint32(v uint32) {
	if b.err == nil {
		b.buf = append(b.buf, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
}

// WriteAddr appends the 16 bytes of an IPv6 address. An IPv4 address is
// written in its IPv4-mapped form; an invalid (zero) Addr as ::.
func (b *Builder) WriteAddr(a netip.Addr) {
	if b.err == nil {
		a16 := a.As16()
		b.buf = append(b.buf, a16[:]...)
	}
}

// Finish closes the relay-msg options the builder opened itself and returns
// the buffer with the message appended. Options opened with StartOption
// must have been closed.
func (b *Builder) Finish() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	if b.depth > b.relays {
		h := int(b.open[b.depth-1])
		return nil, errorf(ErrNesting, h, OptionCode(be16(b.buf[h:])), "option started here was never ended (EndOption missing)")
	}
	for b.depth > 0 {
		b.closeOption()
		if b.err != nil {
			return nil, b.err
		}
	}
	b.relays = 0
	return b.buf, nil
}
