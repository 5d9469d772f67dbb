#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the seed inputs of the fuzz corpora (fuzz/corpus/<target>/).

Device-tree seeds come from the project's fixtures, compiled with dtc:
  of-load     every tests/fixtures/*.dts and examples/boards/*.dts, with and
              without -@ (named fixture-<name>[-sym]);
  of-overlay  each board compiled with -@ (and without) followed by each
              tests/fixtures/*.dtso compiled with -@, and pairs of overlays.
Model seeds are small programs from a seeded generator (always the same
bytes for the same --seed), shaped after each entry point's encoding:
  smmuv3      ims_smmuv3_fuzz_one (src/hw/smmuv3/smmuv3-fuzz.c)
  smmuv2      ims_smmuv2_fuzz_one (src/hw/smmuv2/fuzz.c)
  pgtable     ims_pgtable_fuzz_one (src/pgtable/fuzz.c)
  iova        ims_iova_fuzz_one (src/iova/fuzz.c)
Whole-stack seeds:
  explain     every board of of-load, the lint fixtures (tests/lint/fixtures),
              tests/bus/topo.dts and tests/explain/rid-holes.dts, alone, and
              the example boards followed by their topology / dma-ranges
              overlays (explain-<name>);
  scenario    every examples/scenarios/*.scn with its board and overlay lines
              pointing at fuzz/scenario-files/ (scn-<name>), plus the boards
              and overlays those name, compiled into fuzz/scenario-files/.
  dma         DMA API call sequences (fuzz/fuzz-dma.c): for each of the 32
              setups the life of each kind of mapping with exact calls
              (seq-<setup>), each op with fuzzed arguments after a map of
              each kind on 6 setups (op-<op>-<setup>), hand-made misuse
              (misuse-<setup>) and random programs (gen-<n>).
Model seeds are named gen-<n>; minimise them afterwards with a fuzzer's
-merge=1 (docs/fuzzing.md).  Existing files are overwritten, others kept.

usage: fuzz/gen-corpus.py [--dtc dtc] [--seed N] [--count N] [TARGET...]
"""
import argparse
import glob
import os
import random
import struct
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, 'fuzz', 'corpus')


def dtc(tool, src, symbols):
    args = [tool, '-q', '-I', 'dts', '-O', 'dtb']
    if symbols:
        args.append('-@')
    return subprocess.run(args + [src], check=True, capture_output=True).stdout


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def boards():
    return sorted(glob.glob(os.path.join(ROOT, 'tests', 'fixtures', '*.dts')) +
                  glob.glob(os.path.join(ROOT, 'examples', 'boards', '*.dts')))


def gen_of_load(args, rng):
    for src in boards():
        name = os.path.basename(src)[:-4]
        write('of-load', 'fixture-' + name, dtc(args.dtc, src, False))
        write('of-load', 'fixture-' + name + '-sym', dtc(args.dtc, src, True))


def gen_of_overlay(args, rng):
    ovls = sorted(glob.glob(os.path.join(ROOT, 'tests', 'fixtures', '*.dtso')))
    blobs = {os.path.basename(o)[:-5]: dtc(args.dtc, o, True) for o in ovls}
    for src in glob.glob(os.path.join(ROOT, 'examples', 'boards', '*.dts')):
        board = os.path.basename(src)[:-4]
        for sym in (False, True):
            base = dtc(args.dtc, src, sym)
            tag = board + ('-sym' if sym else '')
            for o, ob in blobs.items():
                write('of-overlay', 'fixture-%s+%s' % (tag, o), base + ob)
            names = sorted(blobs)
            for a, b in zip(names, names[1:] + names[:1]):
                write('of-overlay', 'fixture-%s+%s+%s' % (tag, a, b),
                      base + blobs[a] + blobs[b])


def gen_explain(args, rng):
    srcs = boards() + sorted(
        glob.glob(os.path.join(ROOT, 'tests', 'lint', 'fixtures', '*.dts')) +
        [os.path.join(ROOT, 'tests', 'bus', 'topo.dts'),
         os.path.join(ROOT, 'tests', 'explain', 'rid-holes.dts')])
    for src in srcs:
        name = os.path.basename(src)[:-4]
        write('explain', 'explain-' + name, dtc(args.dtc, src, False))
    ex = os.path.join(ROOT, 'examples')
    combos = [
        ('qemu-virt-smmuv3', ['topologies/qemu-virt-bridges.dtso']),
        ('qemu-virt-smmuv3', ['scenarios/dma-ranges.dtso']),
        ('qemu-virt-smmuv3', ['topologies/qemu-virt-bridges.dtso',
                              'scenarios/dma-ranges.dtso']),
        ('armada-8040', ['topologies/armada-8040-pcie.dtso']),
    ]
    for board, ovls in combos:
        data = dtc(args.dtc, os.path.join(ex, 'boards', board + '.dts'), True)
        tag = board
        for o in ovls:
            data += dtc(args.dtc, os.path.join(ex, o), True)
            tag += '+' + os.path.basename(o)[:-5]
        write('explain', 'explain-' + tag, data)


# Boards and overlays a fuzzed scenario may name (fuzz/fuzz-scenario.c's list).
SCENARIO_FILES = {
    'qemu-virt-smmuv3': 'boards/qemu-virt-smmuv3.dts',
    'armada-8040': 'boards/armada-8040.dts',
    'qemu-virt-bridges': 'topologies/qemu-virt-bridges.dtso',
    'armada-8040-pcie': 'topologies/armada-8040-pcie.dtso',
    'dma-ranges': 'scenarios/dma-ranges.dtso',
}


def gen_scenario(args, rng):
    d = os.path.join(ROOT, 'fuzz', 'scenario-files')
    os.makedirs(d, exist_ok=True)
    for name, src in SCENARIO_FILES.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(dtc(args.dtc, os.path.join(ROOT, 'examples', src), True))
    for scn in sorted(glob.glob(os.path.join(ROOT, 'examples', 'scenarios', '*.scn'))):
        out = []
        for line in open(scn).read().split('\n'):
            words = line.split()
            if len(words) == 2 and words[0] in ('board', 'overlay'):
                base = os.path.basename(words[1]).rsplit('.', 1)[0]
                if base in SCENARIO_FILES:
                    line = '%s %s' % (words[0], base)
            out.append(line)
        write('scenario', 'scn-' + os.path.basename(scn)[:-4], '\n'.join(out).encode())


def u(n, v):
    return (v & ((1 << (8 * n)) - 1)).to_bytes(n, 'little')


def gen_smmuv3(args, rng):
    # Register offsets the model implements (IHI 0070 §6.3), as 4-byte indices.
    regs32 = [0x20, 0x24, 0x28, 0x3c, 0x44, 0x50, 0x54, 0x60, 0x88, 0x98, 0x9c,
              0xa8, 0xac, 0xbc, 0x10098, 0x1009c, 0x100a8, 0x100ac]
    regs64 = [0x80, 0x90, 0xa0, 0xb0, 0x68, 0x58]
    for n in range(args.count):
        out = bytearray([rng.randrange(256)])
        out += bytes([5])  # the well-formed setup, then hostile steps
        for _ in range(rng.randrange(4, 40)):
            op = rng.choice([0, 1, 2, 3, 4, 4, 4, 6, 6])
            out.append(op)
            if op == 0:
                out += u(2, rng.choice(regs32) // 4) + u(4, rng.getrandbits(32))
            elif op == 1:
                out += u(2, rng.choice(regs64) // 8) + u(8, rng.getrandbits(64))
            elif op == 2:
                out += u(2, rng.choice(regs32) // 4)
            elif op == 3:
                out += u(3, rng.randrange(1 << 18)) + u(8, rng.getrandbits(64))
            elif op == 4:
                out += bytes([rng.randrange(16), rng.randrange(4), rng.randrange(32)])
                out += u(8, rng.getrandbits(40) & ~3)
            else:
                # An STE dword: V, a CFG, and pointers into RAM (IHI 0070 §5.2).
                sid = rng.randrange(16)
                word = rng.randrange(4)
                v = rng.getrandbits(64)
                if word == 0:
                    v = (v & ~0xf) | 1 | (rng.choice([0, 4, 5, 6, 7]) << 1)
                    v = (v & 0xffffffffffff003f) | 0x40020000
                out += u(2, sid * 8 + word) + u(8, v)
        write('smmuv3', 'gen-%03d' % n, bytes(out))


def gen_smmuv2(args, rng):
    for n in range(args.count):
        out = bytearray(u(8, rng.getrandbits(64)))
        out += u(4, rng.getrandbits(32) | 0xff)
        for _ in range(rng.randrange(4, 40)):
            op = rng.choice([0, 1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 7, 7])
            hi = rng.choice([0, 0x80, 0x40, 0xc0])
            out.append(op | (hi if op in (2, 3, 5, 7) else rng.randrange(256) & 0xf8))
            out += u(16, rng.getrandbits(128))
        write('smmuv2', 'gen-%03d' % n, bytes(out))


def gen_pgtable(args, rng):
    for n in range(args.count):
        out = bytearray([rng.randrange(8)])
        for _ in range(rng.randrange(1, 48)):
            kind = rng.choice([0, 0, 2, 2, 4, 6])
            unmap = rng.randrange(3) == 0
            prot = rng.randrange(32)
            rec = bytes([(prot << 3) | kind | unmap, rng.choice([0, 0, 1, 3, 511 & 255]),
                         rng.randrange(4), rng.randrange(4), rng.randrange(16),
                         rng.randrange(256), rng.randrange(256), rng.randrange(4)])
            out += rec
        write('pgtable', 'gen-%03d' % n, bytes(out))


def gen_iova(args, rng):
    for n in range(args.count):
        out = bytearray([rng.randrange(4)])
        for _ in range(rng.randrange(2, 64)):
            op = rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 6, 7])
            out += bytes([op | (8 if rng.randrange(2) else 0), rng.randrange(256)])
            out += u(2, rng.choice([0xfff, 0x1fff, rng.randrange(8192)]))
        write('iova', 'gen-%03d' % n, bytes(out))


# fuzz-dma: byte 0 picks the setup (bit 0 board: 0 SMMUv3, 1 Armada/MMU-500;
# bit 1 strict; bit 2 dma-debug; bits 3-4: -, swiotlb=force, passthrough,
# untrusted), then 8-byte records: op, device, u16 a, u16 b, u8 c, u8 d
# (fuzz/fuzz-dma.c).  Device indexes: the machine's device list, then the
# dummy entry (SMMUv3 board: 15 devices; Armada: 26).
DMA_OPS = ['set_mask', 'map', 'map_phys', 'unmap', 'map_sg', 'unmap_sg', 'alloc', 'free',
           'mmap', 'sync', 'map_resource', 'unmap_resource', 'dev_access', 'fq_timeout',
           'query']
# an IOMMU PCI endpoint, an IOMMU platform device (Armada), a dma-direct
# device, a bridge, the dummy entry
DMA_DEVS = {0: [4, 9, 14, 3, 15], 1: [22, 4, 17, 12, 26]}


def dma_rec(op, dev, a=0, b=0, c=0, d=0):
    return bytes([DMA_OPS.index(op), dev]) + u(2, a) + u(2, b) + bytes([c, d])


def dma_program(rng, setup, ops, devs):
    out = bytes([setup])
    for op in ops:
        out += dma_rec(op, rng.choice(devs), rng.randrange(65536), rng.randrange(65536),
                       rng.randrange(256), rng.randrange(256))
    return out


def gen_dma(args, rng):
    n = 0
    for setup in range(32):
        devs = DMA_DEVS[setup & 1]
        iommu = devs[0]
        # the life of each kind of mapping on an IOMMU endpoint, exact calls only
        out = bytes([setup])
        out += dma_rec('set_mask', iommu, 0, 0, 64, 2)
        out += dma_rec('map', iommu, 100, 5000, 0x80, 0)        # BIDIRECTIONAL, 5 KiB
        out += dma_rec('map', iommu, 8192, 3, 0x40, 0x41)       # TO_DEVICE, map_page
        out += dma_rec('map', iommu, 20000, 300, 0x00, 2)       # FROM_DEVICE
        out += dma_rec('dev_access', iommu, 2, 64, 0, 1)        # device write + sync
        out += dma_rec('sync', iommu, 0, 0, 2, 0)
        out += dma_rec('sync', iommu, 1, 10, 4, 7)
        out += dma_rec('map_sg', iommu, 1234, 777, 3, 0)
        out += dma_rec('dev_access', iommu, 3, 100, 0, 1)
        out += dma_rec('alloc', iommu, 0, 3, 0x40, 0)           # 16 KiB coherent
        out += dma_rec('mmap', iommu, 0, 2, 0, 1)
        out += dma_rec('mmap', iommu, 0, 1, 0x40, 0)            # get_sgtable
        out += dma_rec('map_resource', iommu, 16, 100, 0, 0)
        out += dma_rec('fq_timeout', iommu)
        out += dma_rec('query', iommu, 1, 2, 40, 0)
        for op in ('unmap', 'unmap', 'unmap', 'unmap_sg', 'free', 'unmap_resource'):
            out += dma_rec(op, iommu)
        out += dma_rec('fq_timeout', iommu)
        write('dma', 'seq-%02d' % setup, out)
        # each op on each kind of device, with fuzzed arguments
        for i, op in enumerate(DMA_OPS):
            if setup in (0, 1, 4, 11, 21, 30):
                write('dma', 'op-%s-%02d' % (op, setup),
                      dma_program(rng, setup, ['map', 'map_sg', 'alloc', 'map_resource', op,
                                               op, op], devs))
    # misuse: wrong sizes, directions, addresses, devices; dummy ops
    for setup in (0, 1, 5, 12, 27):
        devs = DMA_DEVS[setup & 1]
        out = bytes([setup])
        out += dma_rec('map', devs[0], 0, 100, 0, 0)
        # misuse: the low 6 bits of c set, c >> 6 = size, direction, address, other
        out += dma_rec('unmap', devs[0], 0, 9000, 0x3f, 0x80)   # wrong size
        out += dma_rec('map', devs[0], 0, 100, 0, 0)
        out += dma_rec('unmap', devs[0], 0, 0, 0x7f, 1)         # wrong direction
        out += dma_rec('map', devs[0], 0, 100, 0, 0x83)         # invalid direction
        out += dma_rec('map', devs[0], 0, 100, 0, 3)            # DMA_NONE
        out += dma_rec('alloc', devs[0], 0, 1, 0x40, 0)
        out += dma_rec('free', devs[0], 0, 1, 0x3f, 0x40)       # wrong free size
        out += dma_rec('unmap', devs[1], 77, 5, 0xff, 0)        # never mapped
        out += dma_rec('map', devs[4], 0, 100, 0, 0)            # dummy ops
        out += dma_rec('map_sg', devs[4], 0, 100, 1, 0)
        out += dma_rec('alloc', devs[4], 0, 1, 0x40, 0)
        out += dma_rec('set_mask', devs[4], 0, 0, 32, 0)
        out += dma_rec('map_phys', devs[0], 1, 0, 0x80, 0)      # not RAM
        out += dma_rec('sync', devs[2], 5, 5, 0xc2, 0x83)       # nowhere, bad direction
        write('dma', 'misuse-%02d' % setup, out)
    for i in range(args.count // 4):
        setup = rng.randrange(32)
        ops = [rng.choice(DMA_OPS) for _ in range(rng.randrange(4, 40))]
        write('dma', 'gen-%03d' % n, dma_program(rng, setup, ops, DMA_DEVS[setup & 1]))
        n += 1


GENERATORS = {
    'of-load': gen_of_load,
    'of-overlay': gen_of_overlay,
    'smmuv3': gen_smmuv3,
    'smmuv2': gen_smmuv2,
    'pgtable': gen_pgtable,
    'iova': gen_iova,
    'explain': gen_explain,
    'scenario': gen_scenario,
    'dma': gen_dma,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--dtc', default='dtc')
    ap.add_argument('--seed', type=int, default=0x1a2b)
    ap.add_argument('--count', type=int, default=200)
    ap.add_argument('targets', nargs='*', default=list(GENERATORS))
    args = ap.parse_args()
    for t in args.targets:
        GENERATORS[t](args, random.Random('%s/%d' % (t, args.seed)))


if __name__ == '__main__':
    main()
