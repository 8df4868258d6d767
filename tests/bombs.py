"""Compressed files that inflate far beyond their size (« zip bombs »), made in a few
milliseconds and a few Mo of memory: one compressed block of zeros, written many times."""

import gzip
import struct
import zlib
from pathlib import Path

MEGABYTE = 1024 * 1024
_BLOCK = 16 * MEGABYTE


def gzip_bomb(path: Path, size: int = 1024 * MEGABYTE) -> Path:
    """A gzip file of `size` zeros (about 1 Mo for 1 Gio): gzip members one after the other."""
    member = gzip.compress(bytes(_BLOCK), 9)
    with path.open("wb") as out:
        for _ in range(size // _BLOCK):
            out.write(member)
    return path


def _deflated_zeros(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zeros and its CRC-32: blocks ended by a full flush do not
    refer to what came before, so one of them can be repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(_BLOCK)) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(size // _BLOCK):
        crc = zlib.crc32(bytes(_BLOCK), crc)
    return block * (size // _BLOCK) + end, crc


def zip_bomb(path: Path, members: int = 3, size: int = 400 * MEGABYTE) -> Path:
    """A zip of `members` files of `size` zeros each (about 1.2 Mo for 3 × 400 Mo)."""
    data, crc = _deflated_zeros(size)
    local, central = b"", b""
    for index in range(members):
        name = f"bombe-{index + 1}.csv".encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0)
        central += struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields)
        central += struct.pack("<HHHII", 0, 0, 0, 0, len(local)) + name
        local += struct.pack("<I", 0x04034B50) + struct.pack("<HHHHHIIIHH", *fields) + name + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, members, members, len(central), len(local), 0)
    path.write_bytes(local + central + end)
    return path
