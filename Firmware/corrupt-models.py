#!/usr/bin/env python3
"""Writes N structure-aware mutations of a model.q8 into a folder, each with its file size and
CRC-32 resealed (docs/formats.md: the CRC covers every byte but bytes 12..16), so that they get
past the checksum and reach the validator and the kernels. Deterministic for a seed.

Usage: corrupt-models.py model.q8 out-dir [count] [seed]
"""
import os, random, struct, sys, zlib

def reseal(b):
    struct.pack_into("<I", b, 8, len(b))
    struct.pack_into("<I", b, 12, zlib.crc32(bytes(b[:12]) + bytes(b[16:])) & 0xFFFFFFFF)

def main():
    src, out = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    good = open(src, "rb").read()
    sections = []
    for i in range(struct.unpack_from("<I", good, 16)[0]):
        tag, offset, size, _ = struct.unpack_from("<4sIII", good, 64 + 16 * i)
        sections.append((offset, size))
    bounds = [0, 1, 2, 15, 16, 31, 32, 127, 128, 255, 0xFFFF, 0x10000, 0x3FFFFFFF, 0x40000000, 0x7FFFFFFF, 0x80000000,
              0xFFFFFF80, 0xFFFFFFE1, 0xFFFFFFFF]
    os.makedirs(out, exist_ok=True)
    for n in range(count):
        b = bytearray(good)
        for _ in range(rng.randint(1, 3)):
            offset, size = rng.choice(sections)
            if size < 4:
                continue
            at = offset + 4 * rng.randrange(size // 4)
            if rng.random() < 0.6:
                struct.pack_into("<I", b, at, rng.choice(bounds))
            else:
                b[at + rng.randrange(4)] ^= 1 << rng.randrange(8)
        if rng.random() < 0.1:
            struct.pack_into("<I", b, 20, rng.choice(bounds))  # the arena size
        reseal(b)
        open(os.path.join(out, f"mutant-{n:04d}.q8"), "wb").write(b)

if __name__ == "__main__":
    main()
