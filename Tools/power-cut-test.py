#!/usr/bin/env python3
"""The power-cut test (make power-cut, part of make test for both architectures).

    Tools/power-cut-test.py --image FRESH.img --disk WORK.img --log-dir DIR --fsck FSCK
        [--cut-after 5] [--files 40] [--delay-ms 150] -- qemu-system-... {disk} ...

1. Copies FRESH.img (an image just made by our mkfs) to WORK.img and boots
   the kernel with it where the QEMU command line says {disk}.
2. At the shell's prompt types `fsstress write pc FILES`: it writes files
   pc/f0, pc/f1, ... and prints "fsstress: committed fK SIZE" once each is
   written and closed (each system call's transaction has committed
   then: fsstress is the only process using the file system, so no group
   commit waits for another call).
3. After CUT_AFTER such lines (and DELAY_MS more) kills QEMU with SIGKILL,
   in the middle of writing the next file. Every "committed" line the guest
   printed before dying counts.
4. Runs our fsck on WORK.img. It must be clean, unless the cut fell
   between a commit and the end of its install: then the log holds
   committed blocks and the home blocks may be half installed, so the log
   is replayed into a copy (as mounting would, by a few lines here that
   follow the format, independent of the kernel's code) and the copy must
   be clean.
5. Boots again on WORK.img (the kernel replays the log at mount) and types
   `fsstress verify pc K` for the K files reported committed: each must be
   there with exactly its content.
6. Runs fsck again: now the image must be clean, log included.
Prints one line per step and "power-cut: N passed, M failed"."""
import argparse, os, re, select, shutil, signal, struct, subprocess, sys, time

PROMPT = re.compile(r"(^|\n)\$ $")
BOOT_LIMIT = 120
RUN_LIMIT = 300


class Guest:
    """One QEMU process and everything it printed."""

    def __init__(self, command, logfile):
        self.qemu = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.log = open(logfile, "wb")
        self.text = ""

    def read_some(self, timeout):
        """Reads what is there within `timeout`; False once QEMU ended."""
        ready, _, _ = select.select([self.qemu.stdout], [], [], max(0.0, timeout))
        if not ready:
            return True
        chunk = os.read(self.qemu.stdout.fileno(), 65536)
        if not chunk:
            return False
        self.log.write(chunk)
        self.log.flush()
        self.text += chunk.decode(errors="replace").replace("\r", "")
        return True

    def wait_for(self, done, limit):
        """True once done(text) (or the regex `done` is in the text); False
        at the limit or when QEMU ends first."""
        test = done if callable(done) else (lambda text: re.search(done, text) is not None)
        deadline = time.time() + limit
        while not test(self.text):
            if time.time() > deadline or not self.read_some(min(0.5, deadline - time.time())):
                return test(self.text)
        return True

    def type(self, line):
        self.text = ""
        for ch in line + "\r":
            self.qemu.stdin.write(ch.encode())
            self.qemu.stdin.flush()
            time.sleep(0.005)

    def kill(self):
        """SIGKILL, then whatever the guest printed before it died."""
        if self.qemu.poll() is None:
            os.kill(self.qemu.pid, signal.SIGKILL)
        while self.read_some(1.0):
            pass
        self.qemu.wait()
        self.log.close()


BLOCK = 1024
MAGIC = 0x10203040


def replay_log(source, target):
    """Copies `source` to `target` and installs its committed log there, as
    the on-disk format defines it: the superblock (block 1) gives the log's
    first block; that header block holds a count n and n home block numbers;
    log block 1 + i goes home to the i-th number; the count is then cleared.
    Returns n, or None when the superblock or header is not sane."""
    image = bytearray(open(source, "rb").read())
    magic, size, _, _, nlog, logstart = struct.unpack_from("<6I", image, BLOCK)
    if magic != MAGIC or logstart + nlog > size or (logstart + nlog) * BLOCK > len(image):
        return None
    count = struct.unpack_from("<I", image, logstart * BLOCK)[0]
    if count >= nlog:
        return None
    homes = struct.unpack_from(f"<{count}I", image, logstart * BLOCK + 4)
    for i, home in enumerate(homes):
        if home >= size:
            return None
        start = (logstart + 1 + i) * BLOCK
        image[home * BLOCK:(home + 1) * BLOCK] = image[start:start + BLOCK]
    struct.pack_into("<I", image, logstart * BLOCK, 0)
    open(target, "wb").write(image)
    return count


def fsck(tool, image):
    result = subprocess.run([tool, image], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = [l for l in result.stdout.decode(errors="replace").strip().split("\n") if l]
    return result.returncode, lines


def main():
    sep = sys.argv.index("--")
    parser = argparse.ArgumentParser(description="kill QEMU during a write-heavy workload, then check the disk")
    parser.add_argument("--image", required=True, help="a fresh image from our mkfs (left unchanged)")
    parser.add_argument("--disk", required=True, help="the working copy the guest writes")
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--fsck", required=True)
    parser.add_argument("--cut-after", type=int, default=5, help="committed files before the cut")
    parser.add_argument("--files", type=int, default=40, help="files the workload would write without the cut")
    parser.add_argument("--delay-ms", type=int, default=150, help="extra time between the last line seen and the cut")
    args = parser.parse_args(sys.argv[1:sep])
    command = [part.replace("{disk}", args.disk) for part in sys.argv[sep + 1:]]
    os.makedirs(args.log_dir, exist_ok=True)
    shutil.copyfile(args.image, args.disk)
    results = []

    def step(name, ok, detail="", lines=()):
        results.append(ok)
        print(f"power-cut: {name}: {'ok' if ok else 'FAILED'}{' (' + detail + ')' if detail else ''}")
        if not ok:
            for line in list(lines)[-15:]:
                print(f"    | {line}")
        return ok

    # Boot 1: the workload, cut short.
    guest = Guest(command, os.path.join(args.log_dir, "power-cut-1.log"))
    committed = []
    try:
        if not step("first boot reaches the shell", guest.wait_for(PROMPT, BOOT_LIMIT), lines=guest.text.split("\n")):
            return finish(results)
        guest.type(f"fsstress write pc {args.files}")
        seen = guest.wait_for(
            lambda text: len(re.findall(r"^fsstress: committed f\d+ \d+$", text, re.M)) >= args.cut_after
            or re.search(r"\n\$ $", text) is not None, RUN_LIMIT)
        if seen:
            time.sleep(args.delay_ms / 1000)
    finally:
        guest.kill()
    committed = re.findall(r"^fsstress: committed f(\d+) (\d+)$", guest.text, re.M)
    numbers = [int(n) for n, _ in committed]
    finished_early = bool(re.search(r"\n\$ $", guest.text))
    problems = re.findall(r"^fsstress: (?!committed).*$", guest.text, re.M)
    ok = (len(numbers) >= args.cut_after and numbers == list(range(len(numbers))) and not problems
          and not finished_early and len(numbers) < args.files)
    detail = f"{len(numbers)} files committed before SIGKILL"
    if finished_early:
        detail += "; the workload ended before the cut: raise --files"
    if not step("workload cut by SIGKILL in mid-write", ok, detail, guest.text.split("\n")):
        return finish(results)

    # fsck of the image as the cut left it (after replaying a committed log).
    status, lines = fsck(args.fsck, args.disk)
    if status == 0:
        step("fsck after the cut", True, "clean")
    elif any("committed blocks not yet installed" in l for l in lines):
        replayed = args.disk + ".replayed"
        count = replay_log(args.disk, replayed)
        status, replayed_lines = fsck(args.fsck, replayed) if count is not None else (1, ["the log is not sane"])
        step("fsck after the cut", status == 0,
             f"a committed log of {count} blocks, replayed into a copy: "
             + ("clean" if status == 0 else "not clean"), lines + replayed_lines)
    else:
        step("fsck after the cut", False, "", lines)

    # Boot 2: recovery, then every committed file whole.
    guest = Guest(command, os.path.join(args.log_dir, "power-cut-2.log"))
    try:
        if step("second boot reaches the shell", guest.wait_for(PROMPT, BOOT_LIMIT), lines=guest.text.split("\n")):
            guest.type(f"fsstress verify pc {len(numbers)}")
            guest.wait_for(r"\n\$ $", RUN_LIMIT)
            wanted = f"fsstress: verified {len(numbers)} files in pc"
            step("every committed file intact after reboot", wanted in guest.text,
                 f"{len(numbers)} files checked byte for byte", guest.text.split("\n"))
    finally:
        guest.kill()

    status, lines = fsck(args.fsck, args.disk)
    step("fsck after recovery", status == 0, lines[-1] if lines else "", lines)
    return finish(results)


def finish(results):
    failed = results.count(False)
    print(f"power-cut: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
