#!/usr/bin/env python3
"""Drives Swiftlet's shell in QEMU like a person at the console: waits for
the prompt, types one command, and checks what the guest printed back
against the expectations of a transcript file.

    Tools/qemu-shell-test.py TRANSCRIPT LOGFILE -- qemu-system-... -kernel IMAGE

Transcript lines:  `$ command` types a command (`\\xNN` in it types the byte
NN, such as \\x15 for Ctrl-U); `> regex` must match a line
of its output; `! regex` must match no line of it. `@ command` types a
command at QEMU's monitor (x86-64: the monitor shares the serial line, so
Ctrl-A C switches to it and back) and then waits up to 10 s until every
`> regex` after it has matched a line the guest printed (no prompt is
expected: an injected NMI or machine check may come at any moment).
`% regex` after an `@` command names an outcome that is allowed but proves
nothing (an NMI that lands in kernel mode rather than in the user program
the test runs): when a guest line matches it, the monitor command is sent
again, up to 5 times. `~ regex` (anywhere in the file) names a guest line
that ends the boot with an outcome that is allowed but proves nothing (a
machine check that lands in kernel mode, where the kernel must stop): when
a run fails and its output has such a line, the whole transcript runs
again on a fresh boot, up to 3 boots. `? regex` waits up to 30 s until a line the guest
printed since the last `$` command matches (a background program saying
it is ready). Ends
with the line `N passed, M failed` and a non-zero status on any failure."""
import os, re, select, subprocess, sys, time

def main():
    sep = sys.argv.index("--")
    transcript, logfile = sys.argv[1:sep]
    command = sys.argv[sep + 1:]
    steps = []
    reboot_on = []
    for raw in open(transcript):
        line = raw.rstrip("\n")
        if line.startswith("~ "):
            reboot_on.append(line[2:])
        elif line.startswith("$ ") or line.startswith("@ ") or line.startswith("? "):
            steps.append([line, [], [], []])
        elif line.startswith("% "):
            steps[-1][3].append(line[2:])
        elif line.startswith("> "):
            steps[-1][1].append(line[2:])
        elif line.startswith("! "):
            steps[-1][2].append(line[2:])

    for boot in range(1, 4):
        passed, failed, output = run(steps, reboot_on, command, logfile if boot == 1 else f"{logfile}.{boot}")
        text = output.decode(errors="replace").replace("\r", "")
        if failed and boot < 3 and any(re.search(r, text, re.M) for r in reboot_on):
            print(f"boot {boot} ended with an outcome that proves nothing; the transcript again on a fresh boot")
            continue
        break
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

def run(steps, reboot_on, command, logfile):
    """One boot: every step against a fresh QEMU, until the guest prints a
    line of `reboot_on` (the rest of the boot would only time out). Returns
    the counts and all the guest printed."""
    qemu = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = open(logfile, "wb")
    buffer = b""

    since_command = b""  # what the guest printed since the last `$` command

    everything = b""

    def read_until(pattern, timeout):
        nonlocal buffer, since_command, everything
        deadline = time.time() + timeout
        while time.time() < deadline:
            match = re.search(pattern, buffer)
            if match:
                before, buffer = buffer[:match.end()], buffer[match.end():]
                since_command += before
                return before
            ready, _, _ = select.select([qemu.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(qemu.stdout.fileno(), 4096)
                if not chunk:
                    break
                log.write(chunk)
                log.flush()
                everything += chunk
                buffer += chunk
        return None

    def read_for(seconds):
        """All the guest prints in the next `seconds`."""
        nonlocal buffer, since_command
        read_until(rb"(?!)", seconds)
        taken, buffer = buffer, b""
        since_command += taken
        return taken

    passed = failed = 0
    if read_until(rb"\$ $", 60) is None:
        print("shell: no prompt within 60 s")
        failed += 1
        steps = []
    def stopped():
        text = everything.decode(errors="replace").replace("\r", "")
        return any(re.search(r, text, re.M) for r in reboot_on)

    for step, expected, forbidden, retry_on in steps:
        if stopped():
            print("the guest stopped; the steps left are not run")
            failed += 1
            break
        command_line = step[2:]
        if step.startswith("? "):
            pattern = re.compile(command_line, re.M)
            deadline = time.time() + 30
            while not pattern.search(since_command.decode(errors="replace").replace("\r", "")):
                if time.time() > deadline or read_until(rb"\n", deadline - time.time()) is None:
                    break
            if pattern.search(since_command.decode(errors="replace").replace("\r", "")):
                passed += 1
                print(f"wait: /{command_line}/ ... ok")
            else:
                failed += 1
                print(f"wait: /{command_line}/ ... FAILED (not printed within 30 s)")
            continue
        if step.startswith("@ "):
            def send_to_monitor():
                # Ctrl-A C: to the monitor, the command, back to the console.
                # First a moment for what the last command started to run.
                time.sleep(0.5)
                qemu.stdin.write(b"\x01c" + command_line.encode() + b"\n")
                qemu.stdin.flush()
                time.sleep(0.3)
                qemu.stdin.write(b"\x01c")
                qemu.stdin.flush()

            send_to_monitor()
            tries = 1
            seen = b""
            missing = list(expected)
            deadline = time.time() + 10
            while missing and time.time() < deadline:
                chunk = read_until(rb"\n", deadline - time.time())
                if chunk is None:
                    break
                seen += chunk
                # The monitor's own prompt may land inside a guest line.
                text = chunk.decode(errors="replace").replace("\r", "").replace("(qemu) ", "")
                missing = [e for e in missing if not re.search(e, text)]
                if missing and stopped():
                    break
                if missing and tries < 5 and any(re.search(r, text) for r in retry_on):
                    print(f"monitor: `{command_line}`: an outcome that proves nothing (try {tries}), again")
                    send_to_monitor()
                    tries += 1
                    deadline = time.time() + 10
            if missing:
                failed += 1
                print(f"monitor: `{command_line}` ... FAILED (missing {', '.join('/%s/' % e for e in missing)})")
                for l in seen.decode(errors="replace").replace("\r", "").split("\n"):
                    print(f"    | {l}")
            else:
                passed += 1
                print(f"monitor: `{command_line}` ... ok")
            continue
        command_line = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), command_line)
        shown = command_line.encode("unicode_escape").decode()
        since_command = b""
        for ch in command_line + "\r":
            qemu.stdin.write(ch.encode())
            qemu.stdin.flush()
            time.sleep(0.005)
        # A command that starts anything in the background (`&` anywhere:
        # `echo late & ; echo now`) may print at any moment, from another
        # CPU: before, inside or after the prompt's line ("late$ " when its
        # word comes before the prompt and its newline after). For those
        # the prompt may stand anywhere in a line, and what comes in the
        # second after it still belongs to this command, not the next.
        background = "&" in command_line
        output = read_until(rb"\n[^\n]*\$ " if background else rb"\n\$ $", 30)
        if output is None:
            print(f"shell: `{shown}`: no prompt came back ... FAILED")
            failed += 1
            break
        if background:
            output += read_for(1.0)
        lines = output.decode(errors="replace").replace("\r", "").split("\n")[1:-1]
        problems = [f"missing /{e}/" for e in expected if not any(re.search(e, l) for l in lines)]
        problems += [f"unexpected /{f}/" for f in forbidden if any(re.search(f, l) for l in lines)]
        if problems:
            failed += 1
            print(f"shell: `{shown}` ... FAILED ({'; '.join(problems)})")
            for l in lines:
                print(f"    | {l}")
        else:
            passed += 1
            print(f"shell: `{shown}` ... ok")
    qemu.kill()
    qemu.wait()
    return passed, failed, everything

main()
