#!/usr/bin/env python3
"""Runs xv6's own usertests on Swiftlet (make conformance, Tools/conformance.mk).

    Tools/conformance.py --image IMG --log-dir DIR [--fsck FSCK]
        --runs 'usertests -q=900;usertests=3600'
        -- qemu-system-riscv64 ... {disk} ...

Each run is a command typed at xv6's shell and its time limit in seconds.
Every run boots afresh on its own copy of IMG (DIR/run-N.img), put where the
QEMU command line says {disk}: waits for the shell's "$ " prompt, types the
command, and passes when the guest prints "ALL TESTS PASSED". It fails on
"SOME TESTS FAILED", a "FAILED" line, a kernel panic, the prompt coming
back first, QEMU ending, or the time limit, and then prints the failing
test's name and the guest's last lines. With --fsck, the disk copy is checked
with our fsck after each run; its verdict is printed and counted too.
Ends with "conformance: N passed, M failed" and a non-zero status on any
failure; the guest's whole console is in DIR/run-N.log."""
import argparse, os, re, select, shutil, subprocess, sys, time

BOOT_LIMIT = 120  # seconds to xv6's first prompt


def run_one(number, command_line, limit, args, qemu_command):
    disk = os.path.join(args.log_dir, f"run-{number}.img")
    logfile = os.path.join(args.log_dir, f"run-{number}.log")
    shutil.copyfile(args.image, disk)
    command = [part.replace("{disk}", disk) for part in qemu_command]
    qemu = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = open(logfile, "wb")
    text = ""  # everything the guest printed since the command was typed
    started = time.time()

    def read_some(deadline):
        """Appends what QEMU printed until `deadline`; False once QEMU ended."""
        nonlocal text
        ready, _, _ = select.select([qemu.stdout], [], [], max(0.0, min(0.5, deadline - time.time())))
        if not ready:
            return True
        chunk = os.read(qemu.stdout.fileno(), 65536)
        if not chunk:
            return False
        log.write(chunk)
        log.flush()
        text += chunk.decode(errors="replace").replace("\r", "")
        return True

    def verdict():
        """(passed, reason) once the run has ended, else None."""
        if "ALL TESTS PASSED" in text:
            return True, "ALL TESTS PASSED"
        if re.search(r"(^|\s)panic: ", text, re.M):
            return False, "the kernel panicked"
        if "SOME TESTS FAILED" in text or re.search(r"(^|: )FAILED", text, re.M):
            return False, "a test failed"
        if re.search(r"\n\$ $", text):
            return False, "the shell prompt came back without ALL TESTS PASSED"
        return None

    outcome = None
    try:
        deadline = time.time() + BOOT_LIMIT
        while not re.search(r"(^|\n)\$ $", text):
            if time.time() > deadline:
                outcome = (False, f"no xv6 shell prompt within {BOOT_LIMIT} s of boot")
                break
            if not read_some(deadline):
                outcome = (False, "QEMU ended before the shell's prompt")
                break
        if outcome is None:
            text = ""
            for ch in command_line + "\r":
                qemu.stdin.write(ch.encode())
                qemu.stdin.flush()
                time.sleep(0.01)
            deadline = time.time() + limit
            while outcome is None:
                outcome = verdict()
                if outcome is not None:
                    break
                if time.time() > deadline:
                    outcome = (False, f"no verdict within {limit} s")
                elif not read_some(deadline):
                    outcome = verdict() or (False, "QEMU ended during the run")
    finally:
        qemu.kill()
        qemu.wait()
        log.close()

    passed, reason = outcome
    seconds = time.time() - started
    tests_ok = len(re.findall(r"^test \w+: OK$", text, re.M))
    started_tests = re.findall(r"^test (\w+): ", text, re.M)
    if passed:
        print(f"conformance: `{command_line}`: ALL TESTS PASSED ({tests_ok} tests OK, {seconds:.0f} s; log {logfile})")
    else:
        last = started_tests[-1] if started_tests else "none started"
        print(f"conformance: `{command_line}`: FAILED: {reason}; last test: {last}; "
              f"{tests_ok} tests OK before it; log {logfile}")
        for line in text.rstrip("\n").split("\n")[-15:]:
            print(f"    | {line}")
    if args.fsck:
        check = subprocess.run([args.fsck, disk], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        lines = check.stdout.decode(errors="replace").strip().split("\n")
        if check.returncode == 0:
            print(f"conformance: fsck of the disk after `{command_line}`: clean")
        else:
            print(f"conformance: fsck of the disk after `{command_line}`: FAILED ({len(lines)} lines)")
            for line in lines[:15]:
                print(f"    | {line}")
            passed = False
    return passed


def main():
    sep = sys.argv.index("--")
    parser = argparse.ArgumentParser(description="xv6's usertests on Swiftlet")
    parser.add_argument("--image", required=True, help="the disk image with xv6's programs (copied for each run)")
    parser.add_argument("--log-dir", required=True, help="where the per-run disk copies and console logs go")
    parser.add_argument("--fsck", help="our fsck, to check each run's disk afterwards")
    parser.add_argument("--runs", required=True, metavar="'COMMAND=SECONDS;...'",
                        help="commands typed at xv6's shell, each in a fresh boot, and their time limits")
    args = parser.parse_args(sys.argv[1:sep])
    qemu_command = sys.argv[sep + 1:]
    if not any("{disk}" in part for part in qemu_command):
        parser.error("the QEMU command line must say {disk} where the disk image goes")
    os.makedirs(args.log_dir, exist_ok=True)
    passed = failed = 0
    for number, run in enumerate((r for r in args.runs.split(";") if r.strip()), 1):
        command_line, _, seconds = run.rpartition("=")
        if run_one(number, command_line, float(seconds), args, qemu_command):
            passed += 1
        else:
            failed += 1
    print(f"conformance: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
