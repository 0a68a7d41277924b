// Command futureplugin speaks only a hooks protocol version the host does
// not know (99), to test that the handshake refuses it with a clear error.
package main

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"github.com/leasehold/leasehold/hooks"
	pb "github.com/leasehold/leasehold/hooks/proto"
	"google.golang.org/grpc"
)

type future struct {
	plugin.NetRPCUnsupportedPlugin
}

func (future) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterHooksServer(s, pb.UnimplementedHooksServer{})
	return nil
}

func (future) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, nil
}

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  hooks.Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{99: {"hooks": future{}}},
		GRPCServer:       plugin.DefaultGRPCServer,
	})
}
