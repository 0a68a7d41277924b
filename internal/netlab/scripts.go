package netlab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// clientScript returns a /bin/sh script for a DHCP client that appends its
// environment to events as one record closed by a "%%" line, then runs
// actions (shell case arms over $reason).
func clientScript(events, actions string) string {
	s := `#!/bin/sh
# Written by netlab: records each call, then sets or removes the address.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
reason=${reason:-$1}
export reason
{ env; echo "%%"; } >>'EVENTS'
case "$reason" in
ACTIONS
esac
exit 0
`
	s = strings.Replace(s, "EVENTS", strings.ReplaceAll(events, "'", `'\''`), 1)
	return strings.Replace(s, "ACTIONS", actions, 1)
}

// dhclientActions do the least of what Debian's dhclient-script does: the
// address on and off, with the lease's lifetimes.
const dhclientActions = `PREINIT|PREINIT6)
	ip link set dev "$interface" up ;;
BOUND|RENEW|REBIND|REBOOT)
	if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
		ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface"
	fi
	ip -4 addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" \
		valid_lft "${new_dhcp_lease_time:-forever}" preferred_lft "${new_dhcp_lease_time:-forever}" ;;
EXPIRE|FAIL|RELEASE|STOP)
	if [ -n "$old_ip_address" ]; then
		ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface"
	fi ;;
BOUND6|RENEW6|REBIND6|REBOOT6)
	if [ -n "$new_ip6_address" ]; then
		ip -6 addr replace "$new_ip6_address/$new_ip6_prefixlen" dev "$interface" \
			valid_lft "${new_max_life:-forever}" preferred_lft "${new_preferred_life:-forever}"
	fi ;;
EXPIRE6|RELEASE6|STOP6)
	if [ -n "$old_ip6_address" ]; then
		ip -6 addr del "$old_ip6_address/$old_ip6_prefixlen" dev "$interface"
	fi ;;`

// udhcpcActions likewise for busybox udhcpc, whose mask is a prefix length.
const udhcpcActions = `deconfig)
	ip link set dev "$interface" up
	ip -4 addr flush dev "$interface" scope global ;;
bound|renew)
	ip -4 addr replace "$ip/${mask:-32}" dev "$interface" \
		valid_lft "${lease:-forever}" preferred_lft "${lease:-forever}" ;;`

// DeclineScript writes a dhclient script into a new directory of the lab
// that refuses the first lease it is given, so that dhclient declines it:
// exit 1 on BOUND or REBOOT declines a DHCPv4 lease; exit 3 on BOUND6
// tells dhclient -6 that duplicate address detection failed. Every call
// appends "REASON ADDRESS" to events (see ScriptEvents); other leases get
// their address set. Pass it as ClientOptions.Args "-sf", script:
// dhclient's last -sf wins over netlab's.
func (l *Lab) DeclineScript() (script, events string, err error) {
	dir, err := l.TempDir("decline-")
	if err != nil {
		return "", "", err
	}
	events = filepath.Join(dir, "events")
	declined := filepath.Join(dir, "declined")
	script, err = WriteFile(dir, "script", `#!/bin/sh
echo "$reason $new_ip_address$new_ip6_address" >>`+events+`
case "$reason" in
PREINIT|PREINIT6) ip link set dev "$interface" up ;;
BOUND|REBOOT)
	if [ ! -e `+declined+` ]; then : >`+declined+`; exit 1; fi
	ip -4 addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
BOUND6|RENEW6|REBIND6|REBOOT6)
	if [ "$reason" = BOUND6 ] && [ ! -e `+declined+` ]; then : >`+declined+`; exit 3; fi
	ip -6 addr replace "$new_ip6_address/$new_ip6_prefixlen" dev "$interface" ;;
esac
exit 0
`)
	if err != nil {
		return "", "", err
	}
	if err := os.Chmod(script, 0o755); err != nil {
		return "", "", fmt.Errorf("netlab %s: %w", l.ID, err)
	}
	return script, events, nil
}

// ScriptEvents returns, in order, the addresses of the lines with the
// given reason in a DeclineScript's events file.
func ScriptEvents(events, reason string) []string {
	b, _ := os.ReadFile(events)
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if r, a, _ := strings.Cut(line, " "); r == reason {
			out = append(out, a)
		}
	}
	return out
}

// WaitScriptEvents waits until a DeclineScript's events file has n lines
// with the given reason and returns their addresses.
func WaitScriptEvents(ctx context.Context, events, reason string, n int) ([]string, error) {
	for {
		if got := ScriptEvents(events, reason); len(got) >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			b, _ := os.ReadFile(events)
			return nil, fmt.Errorf("netlab: %d %s events not seen: %w; script calls:\n%s", n, reason, ctx.Err(), b)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
