#!/usr/bin/env python3
"""Checks the PNG bands riscv-virt's framebuffer wrote for the framebuffer
firmware program: a red band at rows 100-131 (pages cover rows 99-132),
then, a refresh later, a green square at rows 300-309, x 200-209 (rows
299-310). Decodes the PNGs with the standard library only."""
import os
import re
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, text = 8, b"", {}
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert (depth, color) == (8, 2), "8-bit RGB"
        elif kind == b"IDAT":
            idat += body
        elif kind == b"tEXt":
            key, value = body.split(b"\0", 1)
            text[key.decode()] = value.decode()
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * 3, [], bytearray(width * 3)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b, c = prev[i], prev[i - 3] if i >= 3 else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, rows, text


def pixel(rows, x, y):
    r, g, b = rows[y][3 * x:3 * x + 3]
    return (r << 16) | (g << 8) | b


def main(directory):
    files = sorted(os.listdir(directory))
    names = [re.fullmatch(r"fb-(\d{6})-y(\d{4})-h(\d{4})\.png", f) for f in files]
    assert all(names), "unexpected files: %s" % files
    bands = [(int(m[2]), int(m[3])) for m in names]
    assert bands == [(99, 34), (299, 12)], "bands %s (files %s)" % (bands, files)
    assert int(names[0][1]) < int(names[1][1]), "the square comes a refresh later"
    w, h, rows, text = read_png(os.path.join(directory, files[0]))
    assert (w, h) == (640, 34)
    assert text["tlmmap-band"].startswith("frame=%d y=99 rows=34 " % int(names[0][1])), text
    assert pixel(rows, 0, 0) == 0 and pixel(rows, 0, 1) == 0xff0000 and pixel(rows, 639, 32) == 0xff0000
    assert pixel(rows, 0, 33) == 0
    w, h, rows, _ = read_png(os.path.join(directory, files[1]))
    assert (w, h) == (640, 12)
    assert pixel(rows, 205, 6) == 0x00ff00 and pixel(rows, 199, 6) == 0 and pixel(rows, 205, 0) == 0
    print("frames: %s" % ", ".join(files))


if __name__ == "__main__":
    main(sys.argv[1])
