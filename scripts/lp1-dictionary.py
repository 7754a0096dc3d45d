#!/usr/bin/env python3
"""Build the preset deflate dictionary of LP1: texts (docs/format/transport.md)
and write lib/lp1dict.c. The dictionary is part of the format: once released
it never changes (its Adler-32, which every zlib stream names in its header,
identifies it). A later dictionary gets a new id and decoders keep this one.

It holds only what every leerpas presentation shares: the CBOR structure of
the SD-KBT and SD-CWT (headers, claim keys, map and string heads) and the
vocabulary of our claims (claim names of the status reference, credential
types, the walk-up audience, URL pieces, words of Dutch school names). No
school's or learner's own text is in it. deflate reaches back at most 32 KiB
and codes near matches more cheaply, so the most frequent pieces come last.

Usage: scripts/lp1-dictionary.py [--check]   (--check: fail if lib/lp1dict.c
differs from what this script writes)"""
import sys, zlib, os

def t(s):  # CBOR text string with its head
    b = s.encode()
    assert len(b) < 256
    return (bytes([0x60 + len(b)]) if len(b) < 24 else bytes([0x78, len(b)])) + b

H = bytes.fromhex
pieces = [
    # Words of school names, qualification and course titles, and places.
    b"Universiteit ", b"Hogeschool ", b"Academie ", b"College ", b"Zorgcollege ",
    b"ROC ", b"Vakschool ", b"Opleidingen ", b"Instituut ", b"University of Applied Sciences ",
    b"Associate degree ", b"Bachelor ", b"Master ", b"Keuzedeel ", b"Mbo-certificaat ",
    b"Certificaat ", b"Diploma ", b"Verpleegkunde", b"Techniek", b"Zorg en Welzijn",
    b" en ", b" van ", b" de ", b" het ", b" met ", b" voor ", b" in de ",
    # Credential types (vct) with their heads, and the walk-up audience.
    t("diploma"), t("keuzedeel"), t("mbo-certificaat"), t("certificate"),
    # URLs: identifiers of schools and verifiers, status list locations.
    b"https://www.", b".nl/", b".eu/", b".org/", b".com/", b"/status/1",
    # Dates in claims: "YYYY-MM-DD" of this century.
    b"2026-06-", b"2025-07-", b"2027-07-", b"-01-", b"-30", b"-31",
    # Presentation payload: {3 aud, 6 iat, 39 cnonce}.
    H("a303") + t("leerpas:walk-up") + H("061a"),
    H("a3037818") + b"https://", H("061a") + H("18274c"),
    # The audience leerpas-verifier makes for itself ("leerpas-verifier:" and
    # 8 characters) with the challenge code after it (12 characters).
    H("a3037819") + b"leerpas-verifier:",
    # The status reference {65535: {"status_list": {"idx": n, "uri": t}}}.
    H("19ffffa1") + t("status_list") + H("a2") + t("idx") + H("19") + H("0000") + t("uri") + H("78") ,
    # The holder key {8: {1: {1: 1, -1: 6, -2: h'32 bytes'}}} and vct.
    H("0750") + bytes(16) + H("08a101a301012006215820"),
    H("0b6f") + b"microcredential",
    # The achievement map: -65537 key, redactable keys, claim keys.
    H("3a00010000") + H("ab008510111213140178") ,
    H("03624e4c046a") + b"2026-", H("0618"), H("0719"), H("0818"),
    H("181a5820"), H("f83b85582058205820"),
    # The SD-CWT: protected header {1: -8, 4: kid, 16: 293, 170: -16},
    # sd_claims of two disclosures, the payload's iss.
    H("d284590201a301270dd2844ea4012704426b311019012518aa2f"),
    H("a1118258"), H("8350"), H("5901"), H("a70178"), b"https://",
    # End of the SD-CWT and of the SD-KBT: signatures, typ 294, unprotected {}.
    H("5840"), H("10190126a058"), H("5840"),
]
d = b"".join(pieces)
adler = zlib.adler32(d) & 0xFFFFFFFF

def c_source():
    lines = []
    for i in range(0, len(d), 12):
        lines.append("\t" + " ".join("0x%02x," % x for x in d[i:i + 12]))
    return ("/* The preset deflate dictionary of LP1: texts, version 1. Written by\n"
            " * scripts/lp1-dictionary.py; part of the format (docs/format/transport.md):\n"
            " * never edit, never change. */\n"
            "#include \"lp1dict.h\"\n\n"
            "const unsigned char lp_lp1_dict_v1[LP_LP1_DICT_V1_LEN] = {\n" + "\n".join(lines) + "\n};\n")

def c_header():
    return ("/* The preset deflate dictionary of LP1: texts (lib/lp1dict.c). */\n"
            "#ifndef LEERPAS_LP1DICT_H\n#define LEERPAS_LP1DICT_H\n\n"
            "#define LP_LP1_DICT_V1_LEN %du\n"
            "#define LP_LP1_DICT_V1_ID 0x%08xu /* its Adler-32, as zlib's DICTID names it */\n"
            "#define LP_LP1_WINDOW_BITS 12 /* LP1 streams: a 4 KiB window, zlib header 48 E6 */\n\n"
            "extern const unsigned char lp_lp1_dict_v1[LP_LP1_DICT_V1_LEN];\n\n#endif\n" % (len(d), adler))

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
files = {os.path.join(root, "lib", "lp1dict.c"): c_source(), os.path.join(root, "lib", "lp1dict.h"): c_header()}
if "--check" in sys.argv:
    bad = [p for p, s in files.items() if not os.path.exists(p) or open(p).read() != s]
    if bad:
        sys.exit("lp1-dictionary: %s differ from the script's output" % ", ".join(bad))
    sys.exit(0)
if "--try" in sys.argv:
    for f in sys.argv[sys.argv.index("--try") + 1:]:
        b = open(f, "rb").read()
        c = zlib.compressobj(9, zlib.DEFLATED, 12, 8, zlib.Z_DEFAULT_STRATEGY, d)
        z = c.compress(b) + c.flush()
        print(f, len(b), "plain", len(zlib.compress(b, 9)), "dict", len(z), "chars", (len(z) // 2) * 3 + (len(z) % 2) * 2)
    sys.exit(0)
for p, s in files.items():
    open(p, "w").write(s)
print("dictionary: %d bytes, id 0x%08x" % (len(d), adler))
