// Command plugin-policy is a leasehold hook plugin that drops DHCPv4
// packets from listed hardware addresses (at pkt4_receive) and adds an
// option to every reply (at pkt4_send) by rebuilding the reply's wire bytes
// with the dhcp4 codec. The server re-decodes and checks the new reply
// before it sends it.
//
//	"hooks-libraries": [{
//	  "library": "/usr/local/lib/leasehold/plugin-policy",
//	  "parameters": {
//	    "drop-macs": ["02:00:00:00:00:66"],
//	    "add-option": { "code": 224, "text": "policy=lab" }
//	  }
//	}]
//
// The same value also works linked into a program (hooks.Config.Linked).
package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/leasehold/leasehold/dhcp4"
	"github.com/leasehold/leasehold/hooks"
)

func main() { hooks.ServePlugin(&policy{}) }

type policy struct {
	drop    [][]byte // hardware addresses to drop
	optCode uint8    // option to add, 0 for none
	optData []byte
}

type params struct {
	DropMACs  []string `json:"drop-macs"`
	AddOption *struct {
		Code int    `json:"code"`
		Text string `json:"text"`
		Hex  string `json:"hex"`
	} `json:"add-option"`
}

func (p *policy) Load(_ context.Context, raw json.RawMessage) (hooks.Registration, error) {
	var ps params
	if err := hooks.DecodeParameters(raw, &ps); err != nil {
		return nil, fmt.Errorf("plugin-policy parameters: %w", err)
	}
	reg := hooks.Registration{}
	for _, s := range ps.DropMACs {
		mac, err := net.ParseMAC(s)
		if err != nil {
			return nil, fmt.Errorf("plugin-policy: drop-macs: %q is not a hardware address", s)
		}
		p.drop = append(p.drop, mac)
	}
	if len(p.drop) > 0 {
		reg[hooks.Pkt4Receive] = hooks.Sync
	}
	if o := ps.AddOption; o != nil {
		if err := p.setOption(o.Code, o.Text, o.Hex); err != nil {
			return nil, fmt.Errorf("plugin-policy: add-option: %w", err)
		}
		reg[hooks.Pkt4Send] = hooks.Sync
	}
	if len(reg) == 0 {
		return nil, errors.New("plugin-policy: nothing to do: give drop-macs or add-option")
	}
	return reg, nil
}

func (p *policy) setOption(code int, text, hexData string) error {
	switch {
	case code < 1 || code > 254:
		return fmt.Errorf("code %d is not an option code (1 to 254)", code)
	case code == int(dhcp4.OptOverload) || code == int(dhcp4.OptMessageType):
		return fmt.Errorf("code %d is the server's to write", code)
	case (text == "") == (hexData == ""):
		return errors.New("give exactly one of text and hex")
	}
	p.optCode, p.optData = uint8(code), []byte(text)
	if hexData != "" {
		b, err := hex.DecodeString(hexData)
		if err != nil {
			return fmt.Errorf("hex %q: %w", hexData, err)
		}
		p.optData = b
	}
	return nil
}

func (p *policy) Callout(_ context.Context, pt hooks.Point, a *hooks.Args) (hooks.NextStep, error) {
	var m dhcp4.Message
	switch pt {
	case hooks.Pkt4Receive:
		if err := m.Decode(a.Query); err != nil {
			return hooks.Continue, nil // the server counts and drops malformed packets itself
		}
		for _, mac := range p.drop {
			if bytes.Equal(m.HWAddr(), mac) {
				slog.Info("dropping packet from a listed hardware address", "hwaddr", net.HardwareAddr(mac).String())
				return hooks.Drop, nil
			}
		}
	case hooks.Pkt4Send:
		out, err := p.withOption(a.Query, a.Response)
		if err != nil {
			return hooks.Continue, err
		}
		a.Response = out
	}
	return hooks.Continue, nil
}

// withOption rebuilds resp with the configured option added after the
// others, keeping the size limit the client asked for.
func (p *policy) withOption(query, resp []byte) ([]byte, error) {
	var m dhcp4.Message
	if err := m.Decode(resp); err != nil {
		return nil, fmt.Errorf("decode response: %w", err)
	}
	if _, ok := m.Option(p.optCode); ok {
		return resp, nil
	}
	maxSize := 576
	var q dhcp4.Message
	if q.Decode(query) == nil {
		if n, ok := q.MaxMessageSize(); ok {
			maxSize = int(n)
		}
	}
	b := dhcp4.NewBuilder(make([]byte, 0, len(resp)+2+len(p.optData)), m.Header)
	b.SetMaxSize(maxSize)
	for i := range m.NumOptions() {
		if err := b.AddOption(m.OptionAt(i)); err != nil {
			return nil, err
		}
	}
	if err := b.AddOption(p.optCode, p.optData); err != nil {
		return nil, err
	}
	return b.Finish()
}

func (p *policy) Unload(context.Context) error { return nil }
