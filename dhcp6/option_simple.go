package dhcp6

import "iter"

// ORO is the content of an Option Request option: a list of 2-byte option
// codes, referring into the option data.
type ORO []byte

// ParseORO decodes the data of an ORO option.
func ParseORO(data []byte) (ORO, error) {
	if len(data)%2 != 0 {
		return nil, errorf(ErrBadOption, 0, OptORO, "length %d is odd; option codes are 2 bytes", len(data))
	}
	return ORO(data), nil
}

// Len returns the number of codes.
func (o ORO) Len() int { return len(o) / 2 }

// At returns the i'th code.
func (o ORO) At(i int) OptionCode { return OptionCode(be16(o[2*i:])) }

// Contains reports whether code was requested.
func (o ORO) Contains(code OptionCode) bool {
	for i := 0; i+1 < len(o); i += 2 {
		if OptionCode(be16(o[i:])) == code {
			return true
		}
	}
	return false
}

// All iterates over the requested codes in order.
func (o ORO) All() iter.Seq[OptionCode] {
	return func(yield func(OptionCode) bool) {
		for i := 0; i+1 < len(o); i += 2 {
			if !yield(OptionCode(be16(o[i:]))) {
				return
			}
		}
	}
}

// AddORO writes an ORO option.
func (b *Builder) AddORO(codes ...OptionCode) {
	b.StartOption(OptORO)
	for _, c := range codes {
		b.WriteUint16(uint16(c))
	}
	b.EndOption()
}

func fixedLen(code OptionCode, data []byte, want int) error {
	if len(data) != want {
		return errorf(ErrBadOption, 0, code, "length %d; %s is %d bytes", len(data), code, want)
	}
	return nil
}

// ParsePreference decodes the data of a PREFERENCE option.
func ParsePreference(data []byte) (uint8, error) {
	if err := fixedLen(OptPreference, data, 1); err != nil {
		return 0, err
	}
	return data[0], nil
}

// AddPreference writes a PREFERENCE option.
func (b *Builder) AddPreference(pref uint8) {
	b.StartOption(OptPreference)
	b.WriteUint8(pref)
	b.EndOption()
}

// ParseElapsedTime decodes the data of an ELAPSED_TIME option: hundredths
// of a second since the client began the exchange, 0xffff meaning that or
// longer.
func ParseElapsedTime(data []byte) (uint16, error) {
	if err := fixedLen(OptElapsedTime, data, 2); err != nil {
		return 0, err
	}
	return be16(data), nil
}

// AddElapsedTime writes an ELAPSED_TIME option (hundredths of a second).
func (b *Builder) AddElapsedTime(hundredths uint16) {
	b.StartOption(OptElapsedTime)
	b.WriteUint16(hundredths)
	b.EndOption()
}

// ParseSolMaxRT decodes the data of a SOL_MAX_RT option (seconds).
func ParseSolMaxRT(data []byte) (uint32, error) {
	if err := fixedLen(OptSolMaxRT, data, 4); err != nil {
		return 0, err
	}
	return be32(data), nil
}

// ParseInfMaxRT decodes the data of an INF_MAX_RT option (seconds).
func ParseInfMaxRT(data []byte) (uint32, error) {
	if err := fixedLen(OptInfMaxRT, data, 4); err != nil {
		return 0, err
	}
	return be32(data), nil
}

// AddSolMaxRT writes a SOL_MAX_RT option (seconds).
func (b *Builder) AddSolMaxRT(seconds uint32) {
	b.StartOption(OptSolMaxRT)
	b.WriteUint32(seconds)
	b.EndOption()
}

// AddInfMaxRT writes an INF_MAX_RT option (seconds).
func (b *Builder) AddInfMaxRT(seconds uint32) {
	b.StartOption(OptInfMaxRT)
	b.WriteUint32(seconds)
	b.EndOption()
}

// AddRapidCommit writes an empty RAPID_COMMIT option.
func (b *Builder) AddRapidCommit() { b.AddOption(OptRapidCommit, nil) }

// AddReconfAccept writes an empty RECONF_ACCEPT option.
func (b *Builder) AddReconfAccept() { b.AddOption(OptReconfAccept, nil) }
