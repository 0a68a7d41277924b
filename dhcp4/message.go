package dhcp4

// Message is a decoded DHCPv4 message: the fixed header and the options.
//
// A Message is meant to be reused: Decode resets it, and once its internal
// tables have grown to fit the messages seen, decoding allocates nothing.
// Option data returned by its methods points into the buffer given to
// Decode (or into scratch space owned by m, for options sent in several
// instances), so it is valid until the next Decode and only while that
// buffer is not changed.
type Message struct {
	Header

	// opts holds one entry per option code, in the order the first
	// instance of each code appears on the wire.
	opts []option
	// idx maps an option code to its position in opts plus one; 0 means
	// absent. Pad, End and Overload never get an entry.
	idx [256]uint8

	src      []byte // the message being decoded
	scratch  []byte // backing store for concatenated options (RFC 3396)
	overN    int    // instances of option 52 seen
	overOff  int    // offset of the first instance of option 52
	overload uint8  // value of option 52, 0 if absent
	multi    bool   // some code appeared more than once
}

// option locates one option's data by offsets rather than a slice, which
// keeps the table free of pointers: resetting and filling it costs no
// write barriers, and the garbage collector need not scan it.
type option struct {
	start, end int32 // data in src, or in scratch when count > 1
	off        int32 // offset of the first instance's code byte in the message
	total      int32 // data length summed over all instances
	count      int32 // number of instances
	code       uint8
}

func (m *Message) data(o *option) []byte {
	if o.count > 1 {
		return m.scratch[o.start:o.end:o.end]
	}
	return m.src[o.start:o.end:o.end]
}

// maxMessageLen bounds what Decode accepts: a UDP payload can be no
// longer, and the option table's 32-bit offsets rely on it.
const maxMessageLen = 65535

// field identifies where in a message an option was found.
type field uint8

const (
	fieldOptions field = iota
	fieldFile
	fieldSName
)

func (f field) bounds(msgLen int) (start, end int) {
	switch f {
	case fieldFile:
		return offFile, offCookie
	case fieldSName:
		return offSName, offFile
	}
	return MinLen, msgLen
}

func (f field) String() string {
	switch f {
	case fieldFile:
		return "file field"
	case fieldSName:
		return "sname field"
	}
	return "options"
}

// Decode resets m and decodes the DHCPv4 message in b.
//
// m keeps references into b: b must not change while m, or any option data
// taken from it, is in use. Options are listed in wire order; several
// instances of one option are concatenated into one (RFC 3396), reading the
// options field, then file, then sname when option 52 overloads them (RFC
// 2131 section 4.1). The overloaded fields are left zero in m.Header, and
// option 52 itself is not listed: it is framing, like Pad and End (see
// Overload).
//
// Options that have a typed accessor are checked here, so an accessor that
// reports an option present also has a well-formed value. On error m holds
// the header, if it was long enough to read, and no options.
func (m *Message) Decode(b []byte) error {
	m.reset()
	if len(b) < MinLen {
		return errAt(ErrTruncated, -1, -1, itoa(len(b))+" bytes, a DHCP message has at least "+itoa(MinLen))
	}
	if len(b) > maxMessageLen {
		return errAt(ErrTooLarge, -1, -1, itoa(len(b))+" bytes, more than a UDP datagram holds")
	}
	m.Header.decode(b)
	m.src = b
	if [4]byte(b[offCookie:MinLen]) != magicCookie {
		return errAt(ErrBadMagicCookie, -1, offCookie, "magic cookie is "+dotted(b[offCookie:MinLen])+", want 99.130.83.99")
	}
	if err := m.decodeOptions(b); err != nil {
		m.reset()
		return err
	}
	return nil
}

func (m *Message) decodeOptions(b []byte) error {
	if err := m.walk(b, fieldOptions, false); err != nil {
		return err
	}
	if err := m.checkOverload(); err != nil {
		return err
	}
	if m.overload&OverloadFile != 0 {
		if err := m.walk(b, fieldFile, false); err != nil {
			return err
		}
		m.File = [128]byte{}
	}
	if m.overload&OverloadSName != 0 {
		if err := m.walk(b, fieldSName, false); err != nil {
			return err
		}
		m.SName = [64]byte{}
	}
	if m.multi {
		m.concat(b)
	}
	for i := range m.opts {
		if err := m.check(&m.opts[i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *Message) reset() {
	for _, o := range m.opts {
		m.idx[o.code] = 0
	}
	m.opts = m.opts[:0]
	m.src = nil
	m.overload, m.overN, m.overOff = 0, 0, 0
	m.multi = false
}

// walk visits the option instances of one field. The first pass (fill
// false) indexes and frames them; the second (fill true) runs only when
// some option came in several instances and copies their data together.
func (m *Message) walk(b []byte, f field, fill bool) error {
	start, end := f.bounds(len(b))
	for i := start; i < end; {
		code := b[i]
		if code == OptPad {
			i++
			continue
		}
		if code == OptEnd {
			return nil
		}
		if i+1 >= end {
			return errAt(ErrBadOption, int(code), i, "no length byte before the end of "+f.String())
		}
		n := int(b[i+1])
		if i+2+n > end {
			return errAt(ErrBadOption, int(code), i, "length "+itoa(n)+" runs past end of "+f.String())
		}
		if fill {
			m.fill(code, b[i+2:i+2+n])
		} else if err := m.add(code, n, i, f); err != nil {
			return err
		}
		i += 2 + n
	}
	return nil
}

// add indexes the instance of option code at off with n bytes of data.
func (m *Message) add(code uint8, n, off int, f field) error {
	if code == OptOverload {
		if f != fieldOptions {
			return errAt(ErrBadOverload, int(code), off, "option overload inside the "+f.String()+"; it belongs in the options field")
		}
		if m.overN == 0 {
			m.overOff = off
		}
		m.overN++
		return nil
	}
	if k := m.idx[code]; k != 0 {
		o := &m.opts[k-1]
		o.count++
		o.total += int32(n)
		m.multi = true
		return nil
	}
	start := int32(off + 2)
	m.opts = append(m.opts, option{code: code, start: start, end: start + int32(n), off: int32(off), total: int32(n), count: 1})
	m.idx[code] = uint8(len(m.opts))
	return nil
}

func (m *Message) checkOverload() error {
	switch {
	case m.overN == 0:
		return nil
	case m.overN > 1:
		return errAt(ErrBadOverload, int(OptOverload), m.overOff, "appears "+itoa(m.overN)+" times")
	}
	data := m.src[m.overOff+2 : m.overOff+2+int(m.src[m.overOff+1])]
	switch {
	case len(data) != 1:
		return errAt(ErrBadOverload, int(OptOverload), m.overOff, "length "+itoa(len(data))+", want 1")
	case data[0] < 1 || data[0] > 3:
		return errAt(ErrBadOverload, int(OptOverload), m.overOff, "value "+itoa(int(data[0]))+", want 1 (file), 2 (sname) or 3 (both)")
	}
	m.overload = data[0]
	return nil
}

// concat gives every option seen more than once a range of m.scratch
// holding its instances joined in wire order. The scratch space is sized by
// the bytes actually present, never by a count read from the wire.
func (m *Message) concat(b []byte) {
	need := 0
	for i := range m.opts {
		if m.opts[i].count > 1 {
			need += int(m.opts[i].total)
		}
	}
	if cap(m.scratch) < need {
		m.scratch = make([]byte, need)
	}
	m.scratch = m.scratch[:need]
	pos := int32(0)
	for i := range m.opts {
		o := &m.opts[i]
		if o.count > 1 {
			o.start, o.end = pos, pos // end advances as fill copies
			pos += o.total
		}
	}
	// The first pass framed every field, so these walks cannot fail.
	_ = m.walk(b, fieldOptions, true)
	if m.overload&OverloadFile != 0 {
		_ = m.walk(b, fieldFile, true)
	}
	if m.overload&OverloadSName != 0 {
		_ = m.walk(b, fieldSName, true)
	}
}

func (m *Message) fill(code uint8, data []byte) {
	k := m.idx[code]
	if k == 0 {
		return // option 52
	}
	if o := &m.opts[k-1]; o.count > 1 {
		o.end += int32(copy(m.scratch[o.end:], data))
	}
}

// Option returns the data of option code, concatenated over its instances.
func (m *Message) Option(code uint8) ([]byte, bool) {
	k := m.idx[code]
	if k == 0 {
		return nil, false
	}
	return m.data(&m.opts[k-1]), true
}

// NumOptions returns the number of distinct options, not counting Pad, End
// and Overload.
func (m *Message) NumOptions() int { return len(m.opts) }

// OptionAt returns the i-th distinct option in wire order, 0 <= i <
// NumOptions().
func (m *Message) OptionAt(i int) (code uint8, data []byte) {
	o := &m.opts[i]
	return o.code, m.data(o)
}

// Overload returns the value of option 52: which of the file (OverloadFile)
// and sname (OverloadSName) fields carried options. 0 means neither.
func (m *Message) Overload() uint8 { return m.overload }

// AppendTo encodes m again, appending to buf: the header as decoded and the
// options in wire order, each written as one option or, when longer than
// 255 bytes, as consecutive instances. No size limit applies; to keep one,
// build the message with a Builder from m.Header and m's options.
func (m *Message) AppendTo(buf []byte) ([]byte, error) {
	b := NewBuilder(buf, m.Header)
	for i := range m.opts {
		if err := b.AddOption(m.opts[i].code, m.data(&m.opts[i])); err != nil {
			return buf, err
		}
	}
	return b.Finish()
}

func dotted(b []byte) string {
	s := ""
	for i, c := range b {
		if i > 0 {
			s += "."
		}
		s += itoa(int(c))
	}
	return s
}
