package hooks

import (
	"reflect"
	"testing"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"google.golang.org/protobuf/proto"
)

// The points the decoder tests decode for: v4, v6, and those whose lease
// lists are always present.
var decodePoints = []Point{Subnet4Select, Lease6Renew, Leases4Committed, Leases6Committed, Lease4Offer}

// referenceArgs decodes as the plugin did before the direct decoder.
func referenceArgs(p Point, msg []byte) (*Args, error) {
	m := &pb.Args{}
	if err := proto.Unmarshal(msg, m); err != nil {
		return nil, err
	}
	return argsFromPB(p, m), nil
}

func TestDecodeFrames(t *testing.T) {
	for _, tt := range argsCases() {
		for _, p := range decodePoints {
			t.Run(tt.name+"/"+p.String(), func(t *testing.T) {
				a := tt.args()
				want, err := referenceArgs(p, appendArgs(nil, a))
				if err != nil {
					t.Fatal(err)
				}
				frame := appendCallFrame(nil, 77, p, a, 9, 1234)[4:]
				c, got, ok := decodeCallFrame(frame)
				if !ok {
					t.Fatal("the call frame the host writes was not decoded")
				}
				if c != (callFields{id: 77, point: p, parkID: 9, timeoutUs: 1234}) {
					t.Errorf("call fields = %+v", c)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("call args differ from the generated decoder's:\n got %+v\nwant %+v", got, want)
				}
				frame = appendEventFrame(nil, 5, appendEventBody(nil, p, Drop, a))[4:]
				ep, outcome, got, ok := decodeEventFrame(frame)
				if !ok || ep != p || outcome != Drop {
					t.Fatalf("event frame: %v %v %v", ep, outcome, ok)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("event args differ from the generated decoder's:\n got %+v\nwant %+v", got, want)
				}
			})
		}
	}
}

// The byte fields point into one copy of the frame, capped: appending to
// one does not write over the next, and the frame buffer can be reused.
func TestDecodeCopiesAndCaps(t *testing.T) {
	a := committedArgs()
	frame := appendEventFrame(nil, 1, appendEventBody(nil, Leases4Committed, Continue, a))[4:]
	_, _, got, ok := decodeEventFrame(frame)
	if !ok {
		t.Fatal("not decoded")
	}
	clear(frame)
	if !reflect.DeepEqual(got.Query, a.Query) || !reflect.DeepEqual(got.Response, a.Response) {
		t.Fatal("decoded args share the frame's buffer")
	}
	q := append(got.Query, 1, 2, 3)
	_ = q
	if !reflect.DeepEqual(got.Response, a.Response) {
		t.Fatal("appending to Query wrote over Response")
	}
}

func TestDecodeGivesUp(t *testing.T) {
	a := committedArgs()
	body := appendEventBody(nil, Leases4Committed, Continue, a)
	ev := appendEventFrame(nil, 1, body)[4:]
	for _, tt := range []struct {
		name  string
		frame []byte
	}{
		{"two args messages (protobuf merges them)", appendEventFrame(nil, 1, append(append([]byte{}, body...), body[len(body)-len(appendArgs(nil, a))-3:]...))[4:]},
		{"truncated", ev[:len(ev)-1]},
		{"a call where an event is expected", appendCallFrame(nil, 1, Pkt4Receive, a, 0, 0)[4:]},
		{"two frames' fields", append(append([]byte{}, ev...), ev...)},
	} {
		if _, _, _, ok := decodeEventFrame(tt.frame); ok {
			t.Errorf("%s: decoded", tt.name)
		}
	}
}

// FuzzDecodeArgs holds the direct decoder to the generated code: whatever
// it accepts, the generated code accepts and reads alike.
func FuzzDecodeArgs(f *testing.F) {
	for _, tt := range argsCases() {
		f.Add(uint8(Leases4Committed), appendArgs(nil, tt.args()))
	}
	f.Add(uint8(Lease6Renew), appendArgs(nil, filledArgs()))
	f.Fuzz(func(t *testing.T, point uint8, msg []byte) {
		p := Point(point)
		got, ok := decodeArgs(p, msg)
		if !ok {
			return
		}
		want, err := referenceArgs(p, msg)
		if err != nil {
			t.Fatalf("decoded what protobuf refuses (%v)", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded differently:\n got %+v\nwant %+v", got, want)
		}
	})
}

// BenchmarkDecodeEvent is what an observer plugin pays to read a DORA's
// leases4_committed event; BenchmarkDecodeEventPB the generated code's way.
func BenchmarkDecodeEvent(b *testing.B) {
	frame := appendEventFrame(nil, 1, appendEventBody(nil, Leases4Committed, Continue, committedArgs()))[4:]
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, ok := decodeEventFrame(frame); !ok {
			b.Fatal("not decoded")
		}
	}
}

func BenchmarkDecodeEventPB(b *testing.B) {
	frame := appendEventFrame(nil, 1, appendEventBody(nil, Leases4Committed, Continue, committedArgs()))[4:]
	b.ReportAllocs()
	for b.Loop() {
		f := &pb.Frame{}
		if err := proto.Unmarshal(frame, f); err != nil {
			b.Fatal(err)
		}
		_ = argsFromPB(Leases4Committed, f.GetEvent().Args)
	}
}
