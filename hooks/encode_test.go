package hooks

import (
	"bytes"
	"fmt"
	"net/netip"
	"reflect"
	"testing"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"github.com/leasehold/leasehold/lease"
	"google.golang.org/protobuf/proto"
)

// filler sets every settable field of a value to something non-zero, so
// that a field the direct encoder forgets (one added to Args and argsToPB
// later) makes TestEncodeArgs fail.
type filler struct{ n int }

func (f *filler) next() int { f.n++; return f.n }

func (f *filler) addr() netip.Addr {
	n := f.next()
	if n%2 == 0 {
		return netip.AddrFrom4([4]byte{192, 0, 2, byte(n)})
	}
	return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(n)})
}

var (
	addrType     = reflect.TypeFor[netip.Addr]()
	addrPortType = reflect.TypeFor[netip.AddrPort]()
	prefixType   = reflect.TypeFor[netip.Prefix]()
)

func (f *filler) fill(v reflect.Value) {
	switch v.Type() {
	case addrType:
		v.Set(reflect.ValueOf(f.addr()))
		return
	case addrPortType:
		a := f.addr()
		if a.Is6() {
			a = a.WithZone(fmt.Sprintf("veth%d", f.next()))
		}
		v.Set(reflect.ValueOf(netip.AddrPortFrom(a, uint16(f.next()))))
		return
	case prefixType:
		a := f.addr()
		bits := 24
		if a.Is6() {
			bits = 56
		}
		v.Set(reflect.ValueOf(netip.PrefixFrom(a, bits).Masked()))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i))
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem())
	case reflect.Slice:
		n := 2
		if v.Type().Elem().Kind() == reflect.Uint8 {
			n = 3 + f.next()%5
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			f.fill(v.Index(i))
		}
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.next()))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.next()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.next()))
	}
}

func filledArgs() *Args {
	a := &Args{}
	(&filler{}).fill(reflect.ValueOf(a).Elem())
	return a
}

// argsCases are the Args the encoder and decoder tests go through.
func argsCases() []struct {
	name string
	args func() *Args
} {
	return []struct {
		name string
		args func() *Args
	}{
		{"every field", filledArgs},
		{"selected subnet in the list", func() *Args {
			a := filledArgs()
			a.Subnet4 = &a.Subnets4[1]
			return a
		}},
		{"v6 subnets", func() *Args {
			a := filledArgs()
			a.Subnet4, a.Subnets4 = nil, nil
			a.Subnet6 = &a.Subnets6[0]
			return a
		}},
		{"empty", func() *Args { return &Args{} }},
		{"committed lists present but empty", func() *Args {
			return &Args{Query: packet4(1, 7, 3), Leases4: []lease.Lease4{}, DeletedLeases4: []lease.Lease4{}}
		}},
		{"zero values inside", func() *Args {
			return &Args{Subnet4: &Subnet4{}, Lease4: &lease.Lease4{}, Host: &Host{Addrs: []netip.Addr{{}},
				Prefixes: []netip.Prefix{{}}}, QueryAddr: Addressing{IfIndex: -1}}
		}},
		{"long fields", func() *Args {
			a := filledArgs()
			a.Query = bytes.Repeat([]byte{1}, 70000) // a three-byte length inside two messages
			a.Leases4[0].UserContext = string(bytes.Repeat([]byte{'x'}, 200))
			return a
		}},
	}
}

func TestEncodeArgs(t *testing.T) {
	for _, tt := range argsCases() {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.args()
			want, err := proto.Marshal(argsToPB(a))
			if err != nil {
				t.Fatal(err)
			}
			if got := appendArgs(nil, a); !bytes.Equal(got, want) {
				t.Fatalf("appendArgs differs from proto.Marshal(argsToPB):\n got %x\nwant %x", got, want)
			}
			call := &pb.Call{Id: 300, Point: uint32(Lease4Select), Args: argsToPB(a), ParkId: 5, TimeoutUs: 100000}
			want, err = appendFrame(nil, &pb.Frame{Kind: &pb.Frame_Call{Call: call}})
			if err != nil {
				t.Fatal(err)
			}
			if got := appendCallFrame(nil, 300, Lease4Select, a, 5, 100000); !bytes.Equal(got, want) {
				t.Fatalf("call frame differs:\n got %x\nwant %x", got, want)
			}
			for _, seq := range []uint64{0, 1, 1 << 40} {
				ev := &pb.Event{Seq: seq, Point: uint32(Leases4Committed), Outcome: uint32(Drop), Args: argsToPB(a)}
				want, err = appendFrame(nil, &pb.Frame{Kind: &pb.Frame_Event{Event: ev}})
				if err != nil {
					t.Fatal(err)
				}
				got := appendEventFrame([]byte("prefix"), seq, appendEventBody(nil, Leases4Committed, Drop, a))
				if !bytes.Equal(got[len("prefix"):], want) {
					t.Fatalf("event frame (seq %d) differs:\n got %x\nwant %x", seq, got, want)
				}
			}
		})
	}
}

func committedArgs() *Args {
	q := packet4(1, 1, 3)
	q = append(q[:len(q)-1], make([]byte, 300-len(q))...)
	r := packet4(2, 1, 5)
	r = append(r[:len(r)-1], make([]byte, 300-len(r))...)
	return &Args{Query: q, Response: r, Leases4: []lease.Lease4{*testLease4()}, DeletedLeases4: []lease.Lease4{},
		QueryAddr: Addressing{Local: netip.MustParseAddrPort("192.0.2.1:67"), Remote: netip.MustParseAddrPort("192.0.2.5:68"),
			IfIndex: 2, IfName: "eth0"}}
}

// BenchmarkEncodeEvent is what the packet path pays to hand a
// leases4_committed event to a plugin observer: a DORA's 300-byte packets
// and its lease encoded straight from Args.
func BenchmarkEncodeEvent(b *testing.B) {
	a := committedArgs()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendEventBody(buf[:0], Leases4Committed, Continue, a)
	}
}

// BenchmarkEncodeEventPB is the same through a copy of Args and the
// generated code, as the host did before, for comparison.
func BenchmarkEncodeEventPB(b *testing.B) {
	a := committedArgs()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		c := a.Clone()
		buf, _ = appendFrame(buf[:0], &pb.Frame{Kind: &pb.Frame_Event{Event: &pb.Event{
			Seq: 1, Point: uint32(Leases4Committed), Args: argsToPB(c)}}})
	}
}
