#!/usr/bin/env python3
"""make-corpus.py - writes the seed corpora of the fuzz targets.

    python3 fuzz/make-corpus.py [DIR]     (default: fuzz/corpus)

Each seed is a small input that takes its target down a path a fuzzer
would take long to find alone: a driver that brings a virtio device up
and makes a request, a well-formed bzImage, a UART set up as Linux's
8250 driver does it, a command line the VMM accepts. Every file is
written in the input format its target's opening comment describes
(fuzz/*.c); the fuzzer mutates from there. The files are rewritten from
scratch, so the corpus is exactly what this script makes; inputs that
`make fuzz-merge` adds later sit beside them under names of their own
(libFuzzer names its files by their SHA-1).
"""
import os
import struct
import sys

# ---- virtio.c: flags, RAM prefix, 7-byte operations ----

# virtio-mmio registers (virtio 1.2, 4.2.2; <linux/virtio_mmio.h>)
STATUS, QUEUE_SEL, QUEUE_NUM, QUEUE_READY, QUEUE_NOTIFY = 0x70, 0x30, 0x38, 0x44, 0x50
DRIVER_FEATURES, DRIVER_FEATURES_SEL = 0x20, 0x24
QUEUE_DESC, QUEUE_AVAIL, QUEUE_USED = 0x80, 0x90, 0xa0
INTERRUPT_STATUS, INTERRUPT_ACK, MAGIC = 0x60, 0x64, 0x00
ACK, DRIVER, DRIVER_OK, FEATURES_OK = 1, 2, 4, 8
F_INDIRECT, BLK_F_SEG_MAX, BLK_F_BLK_SIZE, BLK_F_FLUSH = 28, 2, 6, 9
DESC_NEXT, DESC_WRITE, DESC_INDIRECT = 1, 2, 4
BLK_T_IN, BLK_T_OUT, BLK_T_FLUSH, BLK_T_GET_ID = 0, 1, 4, 8
PAGE = 0x1000          # device 0 (the disk) at 0, device 1 (entropy) at 0x1000

# Where the seeds put the queue and the buffers in guest RAM.
DESC, AVAIL, USED, HEADER, STATUS_BYTE, INDIRECT, DATA = (
    0x000, 0x100, 0x180, 0x200, 0x210, 0x240, 0x400)
QUEUE_SIZE = 8

MMIO_STORE, MMIO_LOAD, RAM_STORE = 0, 1, 2
WIDTH = {1: 0, 2: 1, 4: 2, 8: 3}


def op(kind, where, value, width=4):
    return struct.pack('<BHI', kind | WIDTH[width] << 2, where, value)


def store(dev, reg, value):
    return op(MMIO_STORE, dev * PAGE + reg, value)


def load(dev, reg):
    return op(MMIO_LOAD, dev * PAGE + reg, 0)


def poke(addr, value, width=4):
    return op(RAM_STORE, addr, value, width)


def bring_up(dev, features_low):
    """The driver's side of virtio 1.2, 3.1.1, for queue 0."""
    return b''.join([
        load(dev, MAGIC),
        store(dev, STATUS, 0), store(dev, STATUS, ACK), store(dev, STATUS, ACK | DRIVER),
        store(dev, DRIVER_FEATURES_SEL, 1), store(dev, DRIVER_FEATURES, 1),  # VERSION_1
        store(dev, DRIVER_FEATURES_SEL, 0), store(dev, DRIVER_FEATURES, features_low),
        store(dev, STATUS, ACK | DRIVER | FEATURES_OK), load(dev, STATUS),
        store(dev, QUEUE_SEL, 0), store(dev, QUEUE_NUM, QUEUE_SIZE),
        store(dev, QUEUE_DESC, DESC), store(dev, QUEUE_AVAIL, AVAIL),
        store(dev, QUEUE_USED, USED), store(dev, QUEUE_READY, 1),
        store(dev, STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK),
    ])


def kick(dev):
    return store(dev, QUEUE_NOTIFY, 0) + load(dev, INTERRUPT_STATUS) + \
        store(dev, INTERRUPT_ACK, 1)


def desc(addr, length, flags, nxt=0):
    return struct.pack('<QIHH', addr, length, flags, nxt)


def ram_image(pieces, size):
    ram = bytearray(size)
    for addr, data in pieces:
        ram[addr:addr + len(data)] = data
    return bytes(ram)


def virtio_input(flags, ram, ops):
    return struct.pack('<BH', flags, len(ram)) + ram + ops


BLK_FEATURES = 1 << F_INDIRECT | 1 << BLK_F_SEG_MAX | 1 << BLK_F_BLK_SIZE | 1 << BLK_F_FLUSH


def blk_request(kind, sector, data_len, data_writable):
    """RAM with one request at descriptor 0 and avail idx 1."""
    data_flags = DESC_NEXT | (DESC_WRITE if data_writable else 0)
    chain = desc(HEADER, 16, DESC_NEXT, 1)
    if data_len:
        chain += desc(DATA, data_len, data_flags, 2) + desc(STATUS_BYTE, 1, DESC_WRITE)
    else:
        chain = desc(HEADER, 16, DESC_NEXT, 1) + desc(STATUS_BYTE, 1, DESC_WRITE)
    return ram_image([(DESC, chain),
                      (AVAIL, struct.pack('<HHH', 0, 1, 0)),
                      (HEADER, struct.pack('<IIQ', kind, 0, sector))], STATUS_BYTE + 1)


def virtio_seeds():
    seeds = {}
    up = bring_up(0, BLK_FEATURES)
    seeds['blk-read'] = virtio_input(0, blk_request(BLK_T_IN, 3, 512, True), up + kick(0))
    seeds['blk-write'] = virtio_input(0, blk_request(BLK_T_OUT, 5, 1024, False), up + kick(0))
    seeds['blk-write-ro'] = virtio_input(1, blk_request(BLK_T_OUT, 5, 512, False),
                                         up + kick(0))
    seeds['blk-flush'] = virtio_input(0, blk_request(BLK_T_FLUSH, 0, 0, False), up + kick(0))
    seeds['blk-get-id'] = virtio_input(0, blk_request(BLK_T_GET_ID, 0, 20, True),
                                       up + kick(0))
    # Two requests, the second made available by the guest's own stores.
    again = b''.join([poke(HEADER, BLK_T_OUT), poke(DESC + 16 + 12, DESC_NEXT, 2),
                      poke(AVAIL + 6, 0, 2), poke(AVAIL + 2, 2, 2)])
    seeds['blk-two-requests'] = virtio_input(
        0, blk_request(BLK_T_IN, 1, 512, True), up + kick(0) + again + kick(0))
    # The same read through an indirect table.
    table = (desc(HEADER, 16, DESC_NEXT, 1) + desc(DATA, 512, DESC_NEXT | DESC_WRITE, 2) +
             desc(STATUS_BYTE, 1, DESC_WRITE))
    ram = ram_image([(DESC, desc(INDIRECT, len(table), DESC_INDIRECT)),
                     (AVAIL, struct.pack('<HHH', 0, 1, 0)),
                     (HEADER, struct.pack('<IIQ', BLK_T_IN, 0, 7)),
                     (INDIRECT, table)], INDIRECT + len(table))
    seeds['blk-indirect'] = virtio_input(0, ram, up + kick(0))
    # Reset in the middle, then up again.
    seeds['blk-reset'] = virtio_input(0, blk_request(BLK_T_IN, 0, 512, True),
                                      up + store(0, STATUS, 0) + up + kick(0))
    # The entropy device: one writable buffer, then two chained.
    rng_ram = ram_image([(DESC, desc(DATA, 64, DESC_WRITE)),
                         (AVAIL, struct.pack('<HHH', 0, 1, 0))], AVAIL + 6)
    rng_up = bring_up(1, 0)
    for flags, name in ((0, 'rng'), (1 << 1, 'rng-short'), (2 << 1, 'rng-fails')):
        seeds[name] = virtio_input(flags, rng_ram, rng_up + kick(1))
    rng2 = ram_image([(DESC, desc(DATA, 16, DESC_WRITE | DESC_NEXT, 1) +
                       desc(DATA + 64, 100, DESC_WRITE)),
                      (AVAIL, struct.pack('<HHH', 0, 1, 0))], AVAIL + 6)
    seeds['rng-chain'] = virtio_input(1 << 1, rng2, rng_up + kick(1))
    return seeds


def write_corpus(root, target, seeds):
    path = os.path.join(root, target)
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.startswith('seed-'):
            os.remove(os.path.join(path, name))
    for name, data in seeds.items():
        with open(os.path.join(path, 'seed-' + name), 'wb') as f:
            f.write(data)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'corpus')
    write_corpus(root, 'virtio', virtio_seeds())


if __name__ == '__main__':
    main()
