package hooks

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	pb "github.com/leasehold/leasehold/hooks/proto"
	"google.golang.org/grpc"
)

// ProtocolVersion is the hooks plugin protocol this package speaks. go-plugin
// negotiates it (VersionedPlugins) and Load repeats it, so a host keeps
// serving plugins built against older versions it still lists.
const ProtocolVersion = 1

// Handshake is the go-plugin handshake of leasehold hook plugins. The magic
// cookie only stops a plugin binary from being run by hand by mistake; it
// is not a secret.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "LEASEHOLD_HOOKS_PLUGIN",
	MagicCookieValue: "b7e0c3a2-leasehold-hooks",
}

const pluginName = "hooks"

func pluginSets(server pb.HooksServer) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		ProtocolVersion: {pluginName: &grpcPlugin{server: server}},
	}
}

// grpcPlugin is go-plugin's adapter: the server side registers the Hooks
// service, the client side hands out a Hooks client.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	server pb.HooksServer
}

func (g *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterHooksServer(s, g.server)
	return nil
}

func (g *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &hostConn{HooksClient: pb.NewHooksClient(c), conn: c}, nil
}

type hostConn struct {
	pb.HooksClient
	conn *grpc.ClientConn
}

// hclogToSlog gives go-plugin an hclog.Logger whose lines end in slog.
func hclogToSlog(log *slog.Logger) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       "go-plugin",
		Level:      hclog.Info,
		JSONFormat: true,
		Output:     &logLines{log: log, level: slog.LevelInfo},
	})
}

// logLines is an io.Writer that logs each line through slog: JSON lines
// from hclog ("@level", "@message") or slog ("level", "msg") keep their
// level and attributes, other lines are logged at level.
type logLines struct {
	log    *slog.Logger
	level  slog.Level
	prefix string // "stdout"/"stderr" for a plugin's raw output
	buf    []byte
}

func (w *logLines) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.logLine(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 { // a writer that never ends its line
		w.logLine(w.buf)
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

func (w *logLines) logLine(line []byte) {
	line = bytes.TrimRight(line, "\r")
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	var m map[string]any
	if line[0] == '{' && json.Unmarshal(line, &m) == nil {
		level, msg := w.level, ""
		if s, ok := m["@level"].(string); ok {
			level, msg = parseLevel(s, level), str(m["@message"])
			delete(m, "@level")
			delete(m, "@message")
			delete(m, "@timestamp")
			delete(m, "@module")
			delete(m, "@caller")
		} else if s, ok := m["level"].(string); ok {
			level, msg = parseLevel(s, level), str(m["msg"])
			delete(m, "level")
			delete(m, "msg")
			delete(m, "time")
		}
		attrs := make([]any, 0, 2*len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) { // a stable order reads and greps better
			attrs = append(attrs, k, m[k])
		}
		w.log.Log(context.Background(), level, msg, attrs...)
		return
	}
	if w.prefix != "" {
		w.log.Log(context.Background(), w.level, "plugin "+w.prefix, "line", string(line))
		return
	}
	w.log.Log(context.Background(), w.level, string(line))
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func parseLevel(s string, def slog.Level) slog.Level {
	switch strings.ToLower(s) {
	case "trace", "debug":
		return slog.LevelDebug
	case "info":
		return slog.LevelInfo
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return def
}

// logReader logs every line r yields until r ends.
func logReader(r io.Reader, w *logLines) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		w.logLine(sc.Bytes())
	}
}
