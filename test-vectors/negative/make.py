#!/usr/bin/env python3
"""Regenerate the hand-made negative vectors for leerpas-verifier.
Each file <reason>--<what>.txt holds one text a camera or a copy-paste could
produce; tests/test_cli_verifier.c expects `verify` to answer INVALID with
reason code <reason>. Run from this directory."""
import zlib

A = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

def b45(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = n % 45, n // 45
        d, e = n % 45, n // 45
        out += [A[c], A[d], A[e]]
    if len(data) % 2:
        n = data[-1]
        out += [A[n % 45], A[n // 45]]
    return "".join(out)

def lp1(payload: bytes, compress=True) -> str:
    return "LP1:" + b45(zlib.compress(payload, 9) if compress else payload)

def hexfile(name):
    with open("../format/" + name) as f:
        return bytes.fromhex(f.read().replace("\n", ""))

V = {
    "prefix--wrong-prefix": "LP2:" + b45(zlib.compress(b"\xa0", 9)),
    "prefix--web-address": "https://example.com/not-a-credential",
    "prefix--lowercase-prefix": "lp1:" + b45(zlib.compress(b"\xa0", 9)),
    "base45--lowercase-character": "LP1:6BFOABCDEfgh",
    "base45--length-leaves-one": "LP1:ABCD",
    "base45--triplet-over-65535": "LP1::::",
    "inflate--not-zlib": lp1(b"hello, world", compress=False),
    "inflate--truncated-zlib": "LP1:" + b45(zlib.compress(b"\xa1\x01\x02" * 50, 9)[:-6]),
    "too_large--zlib-bomb": lp1(bytes(1 << 20)),
    "cbor_depth--nested-60000-deep": lp1(b"\x81" * 60000 + b"\x00"),
    "cbor--truncated-cbor": lp1(b"\x82\x01"),
    "cbor_trailing--two-items": lp1(b"\x01\x02"),
    "cbor_indefinite--indefinite-array": lp1(b"\x9f\x01\xff"),
    "cbor_duplicate_key--duplicate-map-key": lp1(b"\xa2\x01\x01\x01\x02"),
    "cose_tag--a-number-not-cose": lp1(b"\x01"),
    "cose_tag--untagged-sign1": lp1(b"\x84\x40\xa0\x40\x40"),
    "cose_alg--no-algorithm": lp1(b"\xd2\x84\x40\xa0\x40\x40"),
    "cose_structure--detached-payload": lp1(bytes.fromhex("d28443a10127a0f640")),
    "typ--a-status-list-not-a-presentation": lp1(hexfile("status-token.hex")),
    "cose_tag--an-issuance-request": lp1(hexfile("request.hex")),
}

for name, text in V.items():
    with open(name + ".txt", "w") as f:
        f.write(text + "\n")
