package hooks

import (
	"context"

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
