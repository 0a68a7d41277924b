// Package hookspb is the generated code of the leasehold hooks plugin
// protocol (hooks.proto). Plugin authors use package hooks, not this one.
//
// Regenerate with `go generate ./hooks/proto`: gen.sh runs protoc (Debian's
// protobuf-compiler package) with the Go generators at pinned versions.
package hookspb

//go:generate sh gen.sh
