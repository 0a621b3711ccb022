"""Which outbound addresses Flowdeck may talk to: pure decisions, no sockets, no DNS.

Cloud metadata endpoints and link-local addresses are always refused. Loopback, private,
carrier-grade NAT, "this network", multicast, reserved and other non-public addresses are
refused unless the host name or the address is in the allow list (`FLOWDECK_OUTBOUND_ALLOW`).

Host literals are read the way the C resolver reads them (`inet_aton`), so `0177.0.0.1`,
`2130706433`, `0x7f.1` and `127.1` all mean 127.0.0.1, and IPv6 forms that carry an IPv4
address (`::ffff:127.0.0.1`, NAT64 `64:ff9b::…`, 6to4 `2002:…`) are judged by that address too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data"}
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CONDITIONAL: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a loopback address", ("127.0.0.0/8", "::1/128")),
    ('the "this network" range 0.0.0.0/8', ("0.0.0.0/8", "::/128")),
    ("a private address", ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")),
    ("a carrier-grade NAT address", ("100.64.0.0/10",)),
    ("a multicast address", ("224.0.0.0/4", "ff00::/8")),
    ("a reserved address", ("240.0.0.0/4", "255.255.255.255/32")),
)
_CONDITIONAL_NETS = tuple(
    (reason, tuple(ipaddress.ip_network(n) for n in nets)) for reason, nets in _CONDITIONAL
)


def parse_ipv4_loose(text: str) -> ipaddress.IPv4Address | None:
    """An IPv4 literal in any form `inet_aton` accepts (octal, hex, 1–4 parts), else None."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        try:
            if part.lower().startswith("0x"):
                values.append(int(part[2:], 16))
            elif len(part) > 1 and part.startswith("0"):
                values.append(int(part, 8))
            else:
                values.append(int(part, 10) if part.isdigit() else -1)
        except ValueError:
            return None
    if any(v < 0 for v in values):
        return None
    *head, last = values
    if any(v > 255 for v in head) or last >= 1 << (8 * (5 - len(values))):
        return None
    number = 0
    for value in head:
        number = number << 8 | value
    number = number << (8 * (4 - len(head))) | last
    return ipaddress.IPv4Address(number)


def parse_host_address(host: str) -> IPAddress | None:
    """The address a host literal names (`[::1]`, `fe80::1%eth0`, `0x7f.1`), or None for names."""
    text = host.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return parse_ipv4_loose(text) if text and text[0].isdigit() else None


def embedded_addresses(ip: IPAddress) -> list[IPAddress]:
    """`ip` plus any IPv4 address it carries (mapped, NAT64, 6to4, IPv4-compatible)."""
    found: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            found.append(ip.ipv4_mapped)
        if ip.sixtofour:
            found.append(ip.sixtofour)
        if ip in _NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


@dataclass(frozen=True)
class AllowList:
    """Networks and host names let through although they are not public."""

    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> AllowList:
        """Entries as in `FLOWDECK_OUTBOUND_ALLOW`: CIDRs, single addresses or host names.

        A host name starting with `*.` or `.` allows every name below it.
        """
        networks, hosts = [], set()
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(normalise_host(entry))
        return cls(tuple(networks), frozenset(hosts))

    def allows_host(self, host: str) -> bool:
        """Whether the host *name* is allowed (exactly, or below a `*.` entry)."""
        name = normalise_host(host)
        if name in self.hosts:
            return True
        return any(h.startswith(("*.", ".")) and name.endswith(h.lstrip("*")) for h in self.hosts)

    def allows_address(self, ip: IPAddress) -> bool:
        """Whether the address lies in an allowed network."""
        return any(ip.version == net.version and ip in net for net in self.networks)


def normalise_host(host: str) -> str:
    """Lower case, without IPv6 brackets or the trailing dot of a fully qualified name."""
    return host.strip().strip("[]").rstrip(".").lower()


def always_blocked_reason(ip: IPAddress) -> str | None:
    """Why `ip` is refused whatever the allow list says, or None."""
    for candidate in embedded_addresses(ip):
        if candidate in METADATA_ADDRESSES:
            return "a cloud metadata address (always blocked)"
        if candidate.is_link_local:
            return "a link-local address (always blocked)"
    return None


def blocked_reason(host: str, ip: IPAddress, allow: AllowList) -> str | None:
    """Why a connection to `ip` (reached as `host`) is refused, or None when it may go."""
    if reason := always_blocked_reason(ip):
        return reason
    if allow.allows_host(host) or allow.allows_address(ip):
        return None
    for candidate in reversed(embedded_addresses(ip)):  # the carried IPv4 names it best
        if allow.allows_address(candidate):
            return None
        for reason, networks in _CONDITIONAL_NETS:
            if any(candidate.version == n.version and candidate in n for n in networks):
                return reason
        if not candidate.is_global:
            return "a special-purpose (non-public) address"
    return None


def host_name_reason(host: str) -> str | None:
    """Why a host *name* is refused before it is even resolved (metadata names), or None."""
    name = normalise_host(host)
    if name in METADATA_HOSTS:
        return "a cloud metadata host name (always blocked)"
    return None
