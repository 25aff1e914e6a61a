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


# ---- linux_load.c: RAM size, flags, command line, initrd, kernel ----

RAM_2M, RAM_1M, RAM_4M = 5, 2, 7   # indexes into linux_load.c's ram_sizes[]
LINUX_INITRD, LINUX_APPEND = 0x01, 0x02
XLF_KERNEL_64, XLF_CAN_BE_LOADED_ABOVE_4G = 1 << 0, 1 << 1
MiB = 1 << 20


def bzimage(version=0x020f, setup_sects=4, pm_size=0x400, syssize=None,
            init_size=MiB, pref_address=MiB, kernel_alignment=MiB, relocatable=1,
            cmdline_size=2047, initrd_addr_max=0x7fffffff, jump=0x66,
            xloadflags=XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G):
    """A kernel image as boot.rst lays out its header; the setup code
    and the protected-mode part are filler bytes."""
    offset = ((setup_sects or 4) + 1) * 512
    image = bytearray(b'\x5a' * offset) + bytes((i * 13 + 1) & 0xff for i in range(pm_size))
    image[0x1f1:0x26c] = bytes(0x26c - 0x1f1)

    def put(at, fmt, value):
        struct.pack_into(fmt, image, at, value)
    put(0x1f1, '<B', setup_sects)
    put(0x1f4, '<I', pm_size // 16 if syssize is None else syssize)
    put(0x1fe, '<H', 0xaa55)
    image[0x200:0x202] = bytes((0xeb, jump))   # jmp short: the header ends at 0x202 + jump
    put(0x202, '<I', 0x53726448)          # "HdrS"
    put(0x206, '<H', version)
    put(0x22c, '<I', initrd_addr_max)
    put(0x230, '<I', kernel_alignment)
    put(0x234, '<B', relocatable)
    put(0x236, '<H', xloadflags)
    put(0x238, '<I', cmdline_size)
    put(0x258, '<Q', pref_address)
    put(0x260, '<I', init_size)
    return bytes(image)


def linux_input(ram, kernel, cmdline=None, initrd=None, devices=0):
    flags = devices << 2
    flags |= LINUX_APPEND if cmdline is not None else 0
    flags |= LINUX_INITRD if initrd is not None else 0
    text = (cmdline or '').encode()
    initrd = initrd or b''
    return struct.pack('<BBH', ram, flags, len(text)) + text + \
        struct.pack('<I', len(initrd)) + initrd + kernel


def linux_seeds():
    initrd = bytes((i * 7) & 0xff for i in range(3000))
    return {
        'kernel': linux_input(RAM_2M, bzimage()),
        'kernel-initrd-cmdline': linux_input(RAM_4M, bzimage(), 'console=ttyS0 quiet',
                                             initrd, devices=2),
        'kernel-eight-devices': linux_input(RAM_4M, bzimage(), initrd=initrd, devices=8),
        'kernel-fixed-address': linux_input(RAM_4M, bzimage(relocatable=0,
                                                            pref_address=2 * MiB)),
        'kernel-low-initrd-max': linux_input(RAM_4M, bzimage(initrd_addr_max=0x2fffff),
                                             initrd=initrd),
        'kernel-short-cmdline-size': linux_input(RAM_2M, bzimage(cmdline_size=8),
                                                 'console=ttyS0'),
        'kernel-jump-0x6a': linux_input(RAM_2M, bzimage(jump=0x6a, setup_sects=0)),
        'kernel-too-big': linux_input(RAM_1M, bzimage()),
        'kernel-old-protocol': linux_input(RAM_2M, bzimage(version=0x020b)),
        'kernel-truncated': linux_input(RAM_2M, bzimage(syssize=0x100)),
        'kernel-no-entry': linux_input(RAM_2M, bzimage(pm_size=0x200)),
    }


# ---- serial.c: 2-byte operations, register | kind << 3, value ----

RBR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR = range(8)
UART_WRITE, UART_READ, UART_RECEIVE = 0, 1, 2


def uart(*ops):
    return b''.join(struct.pack('<BB', reg | kind << 3, value) for kind, reg, value in ops)


def w(reg, value):
    return (UART_WRITE, reg, value)


def r(reg):
    return (UART_READ, reg, 0)


def rx(text):
    return [(UART_RECEIVE, 0, b) for b in text]


def serial_seeds():
    # What Linux's 8250 driver does to find and open a 16550A.
    probe = [w(IER, 0), r(IER), w(IER, 0x0f), r(IER), w(IER, 0),
             w(LCR, 0xbf), r(IIR_FCR), w(LCR, 0),
             w(MCR, 0x1a), r(MSR), w(MCR, 0), r(MSR),
             w(IIR_FCR, 0xc7), r(IIR_FCR), w(SCR, 0xa5), r(SCR),
             w(LCR, 0x83), w(RBR, 1), w(IER, 0), r(RBR), r(IER), w(LCR, 0x03),
             w(MCR, 0x0b), w(IER, 0x0f), r(IIR_FCR), r(IIR_FCR), r(LSR)]
    talk = [w(RBR, ord(c)) for c in 'hi\n'] + [r(IIR_FCR)]
    listen = rx(b'ls\n') + [r(IIR_FCR), r(LSR), r(RBR), r(RBR), r(RBR), r(IIR_FCR)]
    flood = rx(bytes(range(20))) + [r(LSR), r(IIR_FCR), r(LSR)] + [r(RBR)] * 17
    return {
        'linux-open': uart(*probe),
        'linux-talk': uart(*(probe + talk + listen)),
        'overrun': uart(*(probe + flood)),
        'no-fifo': uart(w(MCR, 0x0b), w(IER, 0x05), *rx(b'ab'), r(LSR), r(IIR_FCR),
                        r(RBR), r(LSR), r(RBR)),
        'loopback': uart(w(IIR_FCR, 0x41), w(MCR, 0x1f), w(IER, 0x0f), r(MSR),
                         w(RBR, 0x55), w(RBR, 0xaa), r(IIR_FCR), r(RBR), r(RBR),
                         w(MCR, 0x0b), r(MSR), r(IIR_FCR)),
    }


# ---- buses.c: registrations and accesses on both buses ----

IO_REGISTER, IO_ACCESS, MMIO_REGISTER, MMIO_ACCESS = range(4)


def io_reg(base, length):
    return struct.pack('<BHH', IO_REGISTER, base, length)


def io_acc(port, size_index, write, value=0):
    return struct.pack('<BHBBI', IO_ACCESS, port, size_index, write, value)


def mmio_reg(base, length):
    return struct.pack('<BQQ', MMIO_REGISTER, base, length)


def mmio_acc(addr, width, write, value=0):
    return struct.pack('<BQBBQ', MMIO_ACCESS, addr, width - 1, write, value)


def buses_seeds():
    # The machine's own map (devices.c), then accesses at its edges.
    pc = (io_reg(0x3f8, 8) + io_reg(0x70, 2) + io_reg(0x60, 1) + io_reg(0x64, 1) +
          io_reg(0x505, 1) + io_reg(0xf4, 1))
    virtio = b''.join(mmio_reg(0xd0000000 + i * 0x1000, 0x1000) for i in range(3))
    return {
        'pc-ports': pc + io_acc(0x3f8, 0, 1, 0x41) + io_acc(0x3fd, 0, 0) +
        io_acc(0x70, 1, 0) + io_acc(0x3fe, 2, 0) + io_acc(0x80, 0, 1, 0x55),
        'port-overlaps': pc + io_reg(0x3fc, 8) + io_reg(0, 0) + io_reg(0xfff0, 0x20) +
        io_reg(0xfff0, 0x10) + io_acc(0xffff, 2, 1, 0x01020304),
        'port-full': b''.join(io_reg(0x100 + 4 * i, 4) for i in range(17)) +
        io_acc(0x13e, 2, 0),
        'virtio-pages': virtio + mmio_acc(0xd0000000, 4, 0) +
        mmio_acc(0xd0000ffc, 8, 0) + mmio_acc(0xd0001050, 4, 1, 0) +
        mmio_acc(0xcfffffff, 2, 0),
        'mmio-edges': virtio + mmio_reg(0xd0000800, 0x1000) + mmio_reg(0, 0) +
        mmio_reg(0xfffffffffffff000, 0x1000) + mmio_reg(0xffffffffffffe000, 0x1000) +
        mmio_acc(0xffffffffffffeffc, 8, 1, 0x1122334455667788),
    }


# ---- options.c: the arguments after argv[0], each ended by a NUL ----


def argv(*args):
    return b''.join(a.encode() + b'\0' for a in args)


def options_seeds():
    return {
        'image': argv('guest.bin'),
        'image-options': argv('-m', '16M', '--mode', 'real', '-t', '-s', 'guest.bin'),
        'linux': argv('--kernel', 'vmlinuz', '--initrd', 'initrd.gz', '--append',
                      'console=ttyS0 quiet', '--disk', 'disk.img', '--rng',
                      '--disk=ro.img,ro', '--memory=256M'),
        'too-many-devices': argv(*(['--rng'] * 9), 'x'),
        'bad-size': argv('-m', '99999999999999999999G', 'x'),
        'bad-disk': argv('--disk', ',ro', '--disk', 'a,rw', 'x'),
        'help': argv('--help'),
        'version': argv('--version'),
        'mixed': argv('-ts', '--kernel', 'k', 'image', '--mode'),
    }


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
    write_corpus(root, 'linux_load', linux_seeds())
    write_corpus(root, 'serial', serial_seeds())
    write_corpus(root, 'buses', buses_seeds())
    write_corpus(root, 'options', options_seeds())


if __name__ == '__main__':
    main()
