package hooks

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	pb "github.com/leasehold/leasehold/hooks/proto"
	"google.golang.org/protobuf/encoding/protowire"
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

// Replies: the encoder writes what proto.Marshal writes, the decoder reads
// what either wrote, and gives up on what only protobuf takes.
func TestReplyFrames(t *testing.T) {
	subnet := uint32(7)
	errText := "bad"
	for _, r := range []callReply{
		{id: 1},
		{id: 1 << 40, step: Drop},
		{id: 3, err: "callout panicked: " + string(make([]byte, 200))},
		{id: 4, step: Skip, changes: &pb.Changes{Query: []byte{1, 2, 3}, SubnetId: &subnet, Error: &errText}},
		{id: 5, changes: &pb.Changes{Response: make([]byte, 600), Lease4: lease4ToPB(testLease4())}},
		{id: 6, changes: &pb.Changes{Query: []byte{}}}, // changed to empty, not unchanged
	} {
		frame, err := appendReplyFrame(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		want, err := proto.Marshal(&pb.Frame{Kind: &pb.Frame_Reply{Reply: &pb.Reply{
			Id: r.id, Step: uint32(r.step), Changes: r.changes, Error: r.err}}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(frame[4:], want) || int(binary.BigEndian.Uint32(frame)) != len(want) {
			t.Errorf("reply %d: encoded %x, protobuf %x", r.id, frame, want)
		}
		got, err := readReply(frame[4:])
		if err != nil {
			t.Fatalf("reply %d: %v", r.id, err)
		}
		if got.id != r.id || got.step != r.step || got.err != r.err || !proto.Equal(got.changes, r.changes) ||
			(got.changes == nil) != (r.changes == nil) {
			t.Errorf("reply %d: decoded %+v, want %+v", r.id, got, r)
		}
	}

	// Two Changes fields merge in protobuf: the decoder leaves them to it.
	a := protowire.AppendTag(nil, fieldReplyChanges, protowire.BytesType)
	a = protowire.AppendBytes(a, mustMarshal(t, &pb.Changes{Query: []byte{1}}))
	a = protowire.AppendTag(a, fieldReplyChanges, protowire.BytesType)
	a = protowire.AppendBytes(a, mustMarshal(t, &pb.Changes{Response: []byte{2}}))
	merged := protowire.AppendBytes(protowire.AppendTag(nil, fieldFrameReply, protowire.BytesType), a)
	if _, ok := decodeReplyFrame(merged); ok {
		t.Error("two Changes fields decoded directly")
	}
	got, err := readReply(merged)
	if err != nil || len(got.changes.GetQuery()) != 1 || len(got.changes.GetResponse()) != 1 {
		t.Errorf("merged changes: %+v, %v; want both fields", got, err)
	}

	// Another kind of frame on the call link is a protocol error.
	other := mustMarshal(t, &pb.Frame{Kind: &pb.Frame_Event{Event: &pb.Event{Seq: 1}}})
	if _, err := readReply(other); err == nil || !strings.Contains(err.Error(), "unexpected frame") {
		t.Errorf("an event on the call link: %v, want a protocol error", err)
	}
	if _, err := readReply([]byte{0x12, 0x05, 0x08}); err == nil {
		t.Error("a truncated frame was read")
	}
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDecodeReply holds the host's reply decoder to the generated code, as
// FuzzDecodeArgs does the plugin's: a reply comes from another process.
func FuzzDecodeReply(f *testing.F) {
	subnet := uint32(3)
	for _, r := range []callReply{{id: 1, step: Skip}, {id: 2, err: "x"},
		{id: 3, changes: &pb.Changes{Query: []byte{1}, SubnetId: &subnet}}} {
		frame, err := appendReplyFrame(nil, r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(frame[4:])
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		got, ok := decodeReplyFrame(frame)
		if !ok {
			return
		}
		var want pb.Frame
		if err := proto.Unmarshal(frame, &want); err != nil {
			t.Fatalf("decoded what protobuf refuses (%v)", err)
		}
		w := want.GetReply()
		if w == nil || got.id != w.Id || got.step != stepFromWire(w.Step) || got.err != w.Error || !proto.Equal(got.changes, w.Changes) {
			t.Fatalf("decoded differently:\n got %+v\nwant %v", got, w)
		}
	})
}
