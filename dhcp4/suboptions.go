package dhcp4

// Suboptions walks a sequence of code/length/value sub-options, such as the
// inside of options 43, 82 and 125. Use it like bufio.Scanner:
//
//	s := info.Suboptions()
//	for s.Next() {
//		use(s.Code(), s.Data())
//	}
//	if err := s.Err(); err != nil { ... }
//
// Walking allocates nothing; Data aliases the option data.
type Suboptions struct {
	data   []byte
	off    int
	parent uint8 // option code, for error messages
	padEnd bool  // 0 and 255 are one-byte Pad and End
	code   uint8
	val    []byte
	err    error
}

// VendorSuboptions walks data encoded like the options field itself, where
// code 0 is a one-byte Pad and 255 ends the list: the encapsulated
// vendor-specific options of option 43 (RFC 2132 section 8.4) and the
// option-data of option 125 (RFC 3925). parent names the option in errors.
func VendorSuboptions(parent uint8, data []byte) Suboptions {
	return Suboptions{data: data, parent: parent, padEnd: true}
}

// Next advances to the next sub-option and reports whether there is one.
// It returns false at the end of the data and on malformed framing, which
// Err then reports.
func (s *Suboptions) Next() bool {
	for s.err == nil && s.off < len(s.data) {
		c := s.data[s.off]
		if s.padEnd && c == 0 {
			s.off++
			continue
		}
		if s.padEnd && c == 255 {
			s.off = len(s.data)
			return false
		}
		val, next, what := frameSub(s.data, s.off)
		if what != "" {
			s.err = errAt(ErrBadOption, int(s.parent), -1, "sub-option "+itoa(int(c))+" at byte "+itoa(s.off)+": "+what)
			return false
		}
		s.code, s.val, s.off = c, val, next
		return true
	}
	return false
}

// Code returns the code of the current sub-option.
func (s *Suboptions) Code() uint8 { return s.code }

// Data returns the value of the current sub-option.
func (s *Suboptions) Data() []byte { return s.val }

// Err returns the framing error that stopped Next, if any.
func (s *Suboptions) Err() error { return s.err }

// frameSub frames the sub-option whose code byte is at data[off].
func frameSub(data []byte, off int) (val []byte, next int, what string) {
	if off+1 >= len(data) {
		return nil, 0, "no length byte"
	}
	n := int(data[off+1])
	end := off + 2 + n
	if end > len(data) {
		return nil, 0, "length " + itoa(n) + " runs past end of option"
	}
	return data[off+2 : end : end], end, ""
}

// findSub returns the first sub-option code in data framed without Pad and
// End (option 82 style). data must have been checked.
func findSub(data []byte, code uint8) ([]byte, bool) {
	for off := 0; off < len(data); {
		val, next, what := frameSub(data, off)
		if what != "" {
			return nil, false
		}
		if data[off] == code {
			return val, true
		}
		off = next
	}
	return nil, false
}
