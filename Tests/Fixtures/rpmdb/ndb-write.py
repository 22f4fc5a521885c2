# Writes an ndb package database (rpm's lib/backend/ndb/rpmpkg.c layout) holding the header blobs of
# an rpmdb.sqlite: 32-byte header, one 4 KiB slot page, blobs in 16-byte blocks with head and tail.
import sqlite3, struct, sys, zlib

src, dst = sys.argv[1], sys.argv[2]
blobs = [(h, b) for h, b in sqlite3.connect(src).execute('select hnum, blob from Packages order by hnum')]
le = lambda *v: struct.pack('<' + 'I' * len(v), *v)
slots = bytearray()
for _ in range(256):
    slots += le(0x746f6c53, 0, 0, 0)          # "Slot", empty
data = bytearray()
blk = 256                                       # blobs start after the one slot page
for n, (idx, blob) in enumerate(blobs):
    head = le(0x53626c42, idx, 1700000000, len(blob))    # "BlbS", pkgidx, timestamp, length
    count = (16 + len(blob) + 12 + 15) // 16
    pad = count * 16 - (16 + len(blob) + 12)
    body = head + blob + bytes(pad)
    tail = le(zlib.adler32(body), len(blob), 0x45626c42)  # adler32, length, "BlbE"
    data += body + tail
    struct.pack_into('<IIII', slots, (n + 2) * 16, 0x746f6c53, idx, blk, count)
    blk += count
header = le(0x506d7052, 0, 1, 1, len(blobs) + 1)        # "RpmP", version, generation, slot pages, next index
slots[0:20] = header
slots[20:32] = bytes(12)
open(dst, 'wb').write(bytes(slots) + bytes(data))
