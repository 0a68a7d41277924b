package hooks

import (
	"testing"
)

// BenchmarkPluginServeCall is the plugin's side of one synchronous call,
// without the sockets: decode the call, run a callout that changes
// nothing, encode the reply.
func BenchmarkPluginServeCall(b *testing.B) {
	s := &pluginServer{lib: &fakeLib{name: "l", reg: Registration{Pkt4Receive: Sync}}}
	q := packet4(1, 1, 1)
	q = append(q[:len(q)-1], make([]byte, 300-len(q))...)
	frame := appendCallFrame(nil, 1, Pkt4Receive, &Args{Query: q}, 0, 100000)[4:]
	out := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		c, a, ok := decodeCallFrame(frame)
		if !ok {
			b.Fatal("call frame not decoded")
		}
		var err error
		out, err = appendReplyFrame(out[:0], s.runCall(c, a))
		if err != nil {
			b.Fatal(err)
		}
	}
}
