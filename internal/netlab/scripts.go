package netlab

import "strings"

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
