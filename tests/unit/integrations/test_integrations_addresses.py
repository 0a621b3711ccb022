"""The outbound address rules as tables: no sockets, no DNS."""

from __future__ import annotations

import ipaddress

import pytest

from app.integrations.addresses import (
    AllowList,
    blocked_reason,
    host_name_reason,
    parse_host_address,
    parse_ipv4_loose,
)
from app.integrations.guard import OutboundBlocked, check_url

NOTHING = AllowList()
LOOPBACK = AllowList.from_entries(["127.0.0.1/32"])
EVERYTHING = AllowList.from_entries(["0.0.0.0/0", "::/0", "metadata.google.internal"])


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("[fe80::1%eth0]", "fe80::1"),
        ("example.com", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
        ("08.0.0.1", None),
        ("0x", None),
        ("4294967296", None),
        ("1e3", None),
    ],
)
def test_host_literals_are_read_like_the_c_resolver(text: str, address: str | None) -> None:
    parsed = parse_host_address(text)
    assert (str(parsed) if parsed else None) == address


def test_loose_ipv4_only_takes_digits() -> None:
    assert parse_ipv4_loose("127.0.0.x") is None
    assert parse_ipv4_loose("") is None


@pytest.mark.parametrize(
    ("host", "nothing", "loopback_allowed"),
    [
        ("169.254.169.254", "cloud metadata address (always blocked)", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata address (always blocked)", "cloud metadata"),
        ("::ffff:169.254.169.254", "cloud metadata", "cloud metadata"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata", "cloud metadata"),  # through NAT64
        ("169.254.1.1", "link-local address (always blocked)", "link-local"),
        ("fe80::1", "link-local", "link-local"),
        ("localhost", None, None),  # a name: judged once resolved
        ("127.0.0.1", "loopback", None),
        ("0177.0.0.1", "loopback", None),
        ("2130706433", "loopback", None),
        ("0x7f.1", "loopback", None),
        ("::ffff:127.0.0.1", "loopback", None),
        ("2002:7f00:1::", "loopback", None),  # 6to4 carrying 127.0.0.1
        ("127.0.0.2", "loopback", "loopback"),
        ("[::1]", "loopback", "loopback"),
        ("::127.0.0.2", "loopback", "loopback"),
        ("10.0.0.1", "private", "private"),
        ("172.16.0.1", "private", "private"),
        ("172.31.255.255", "private", "private"),
        ("192.168.0.1", "private", "private"),
        ("fc00::1", "private", "private"),
        ("fd12:3456::1", "private", "private"),
        ("100.64.0.1", "carrier-grade NAT", "carrier-grade NAT"),
        ("0.0.0.0", "this network", "this network"),
        ("224.0.0.251", "multicast", "multicast"),
        ("ff02::1", "multicast", "multicast"),
        ("240.0.0.1", "reserved", "reserved"),
        ("255.255.255.255", "reserved", "reserved"),
        ("198.18.0.1", "special-purpose", "special-purpose"),
        ("172.32.0.1", None, None),
        ("93.184.216.34", None, None),
        ("2606:4700:4700::1111", None, None),
    ],
)
def test_address_table(host: str, nothing: str | None, loopback_allowed: str | None) -> None:
    ip = parse_host_address(host)
    for allow, expected in ((NOTHING, nothing), (LOOPBACK, loopback_allowed)):
        reason = blocked_reason(host, ip, allow) if ip is not None else None
        if expected is None:
            assert reason is None
        else:
            assert reason is not None and expected in reason


@pytest.mark.parametrize("host", ["169.254.169.254", "fe80::1", "fd00:ec2::254"])
def test_always_blocked_whatever_the_allow_list(host: str) -> None:
    ip = parse_host_address(host)
    assert ip is not None
    assert "always blocked" in (blocked_reason(host, ip, EVERYTHING) or "")


def test_allow_list_entries() -> None:
    allow = AllowList.from_entries(["10.1.0.0/16", "192.168.5.5", "[fd00::1]", "Intra.Local.",
                                    "*.corp.example", ""])  # fmt: skip
    assert allow.allows_address(ipaddress.ip_address("10.1.200.3"))
    assert not allow.allows_address(ipaddress.ip_address("10.2.0.1"))
    assert allow.allows_address(ipaddress.ip_address("192.168.5.5"))
    assert allow.allows_address(ipaddress.ip_address("fd00::1"))
    assert allow.allows_host("intra.local") and allow.allows_host("INTRA.local.")
    assert allow.allows_host("git.corp.example") and not allow.allows_host("corp.example.com")
    assert blocked_reason("intra.local", ipaddress.ip_address("10.9.9.9"), allow) is None
    assert "metadata" in (blocked_reason("intra.local", ipaddress.ip_address("169.254.169.254"),
                                         allow) or "")  # fmt: skip


@pytest.mark.parametrize(
    "host", ["metadata.google.internal", "METADATA.google.internal.", "metadata.goog"]
)
def test_metadata_host_names(host: str) -> None:
    assert host_name_reason(host) == "a cloud metadata host name (always blocked)"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "file: is not allowed"),
        ("ftp://example.com/", "ftp: is not allowed"),
        ("gopher://127.0.0.1:70/", "gopher: is not allowed"),
        ("//example.com/x", "a URL without a scheme is not allowed"),
        ("http:///nohost", "the URL has no host"),
        ("http://0177.0.0.1/", "0177.0.0.1 (resolves to 127.0.0.1) blocked: a loopback"),
        ("https://[::1]:8443/", "::1 blocked: a loopback address"),
        ("http://metadata.google.internal/", "cloud metadata host name"),
    ],
)
def test_check_url_without_dns(url: str, message: str) -> None:
    with pytest.raises(OutboundBlocked) as caught:
        check_url(url, NOTHING)
    assert message in caught.value.message


def test_public_and_named_urls_pass_the_literal_check() -> None:
    check_url("https://api.github.com/user", NOTHING)
    check_url("http://93.184.216.34/", NOTHING)
    check_url("http://127.0.0.1:8080/", LOOPBACK)
