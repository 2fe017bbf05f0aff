#!/usr/bin/env python3
"""make bench-smp: how the same workloads speed up with more CPUs.

    Tools/bench-smp.py --cpus 1,2,4 --runs 3 --log-dir DIR -- qemu-system-... -kernel IMAGE

For each CPU count it boots the interactive image RUNS times, with
`-smp N -accel tcg,thread=multi` appended to the QEMU command (one host
thread per guest CPU), waits for the shell's prompt and types
`stress bench WORKLOAD COUNT` for each workload. The guest splits COUNT
operations over one worker per CPU and prints a `begin` line and a `done`
line (stress.c); the time between the two, taken on the host's clock as
the lines arrive, is the run's wall-clock time. The table gives each
workload's median over the runs, operations per second, and the speedup
over one CPU. The figures depend on the host (how many cores it has
free), unlike make bench's instruction counts; so each cell also gives
the host CPU time QEMU's threads used meanwhile (from /proc, median), which
depends much less on the host's load: the wall time is that CPU time over
the host cores QEMU got, and a guest with 4 CPUs cannot run 4 times as
fast on a host that gives it one core."""
import argparse, os, re, select, statistics, subprocess, sys, time

WORKLOADS = [("fork", 2000, "fork+exit+wait"), ("pipe", 20000, "pipe round trip, 1 byte")]


class Guest:
    def __init__(self, command, log_path):
        self.qemu = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.log = open(log_path, "wb")
        self.buffer = b""

    def wait_for(self, pattern, timeout):
        """The match of `pattern` in what the guest prints next, and the host
        time when the chunk holding it arrived; None after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, self.buffer)
            if match:
                self.buffer = self.buffer[match.end():]
                return match, self.arrived
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.qemu.stdout], [], [], min(left, 0.2))
            if ready:
                chunk = os.read(self.qemu.stdout.fileno(), 4096)
                self.arrived = time.monotonic()
                if not chunk:
                    return None
                self.log.write(chunk)
                self.log.flush()
                self.buffer += chunk

    def cpu_seconds(self):
        """CPU time QEMU's threads have used so far (user + system)."""
        with open(f"/proc/{self.qemu.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def type(self, line):
        self.qemu.stdin.write(line.encode() + b"\n")
        self.qemu.stdin.flush()

    def stop(self):
        self.qemu.kill()
        self.qemu.wait()
        self.log.close()


def one_boot(command, cpus, log_path, timeout):
    """{workload: (seconds, workers, host CPU seconds)} for one boot with `cpus` CPUs."""
    guest = Guest(command + ["-smp", str(cpus), "-accel", "tcg,thread=multi"], log_path)
    results = {}
    try:
        if guest.wait_for(rb"\$ $", 120) is None:
            sys.exit(f"bench-smp: no shell prompt with {cpus} CPUs (log: {log_path})")
        for name, count, _ in WORKLOADS:
            guest.type(f"stress bench {name} {count}")
            begin = guest.wait_for(rb"stress: bench " + name.encode() + rb" begin: (\d+) workers", timeout)
            cpu_begin = guest.cpu_seconds()
            done = begin and guest.wait_for(rb"stress: bench " + name.encode() + rb" (done|FAILED)[^\n]*\n", timeout)
            cpu_used = guest.cpu_seconds() - cpu_begin
            if not done or done[0].group(1) != b"done":
                sys.exit(f"bench-smp: {name} with {cpus} CPUs did not finish (log: {log_path})")
            seconds = done[1] - begin[1]
            results[name] = (seconds, int(begin[0].group(1)), cpu_used)
            if guest.wait_for(rb"\$ $", 60) is None:
                sys.exit(f"bench-smp: no prompt after {name} with {cpus} CPUs (log: {log_path})")
    finally:
        guest.stop()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpus", default="1,2,4")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("qemu", nargs=argparse.REMAINDER)
    arguments = parser.parse_args()
    command = arguments.qemu[1:] if arguments.qemu[:1] == ["--"] else arguments.qemu
    os.makedirs(arguments.log_dir, exist_ok=True)
    cpu_counts = [int(n) for n in arguments.cpus.split(",")]

    medians, workers, cpu_seconds = {}, {}, {}
    for cpus in cpu_counts:
        times = {name: [] for name, _, _ in WORKLOADS}
        host = {name: [] for name, _, _ in WORKLOADS}
        for run in range(arguments.runs):
            log_path = os.path.join(arguments.log_dir, f"bench-smp-{cpus}cpu-{run + 1}.log")
            for name, (seconds, used, got) in one_boot(command, cpus, log_path, arguments.timeout).items():
                times[name].append(seconds)
                host[name].append(got)
                workers[(name, cpus)] = used
            print(f"bench-smp: {cpus} CPUs, run {run + 1}: "
                  + ", ".join(f"{name} {times[name][-1]:.3f} s ({host[name][-1]:.2f} host CPU s)"
                              for name, _, _ in WORKLOADS), file=sys.stderr)
        for name in times:
            medians[(name, cpus)] = statistics.median(times[name])
            cpu_seconds[(name, cpus)] = statistics.median(host[name])

    print(f"| workload | operations | " + " | ".join(f"{n} CPU{'s' if n > 1 else ''}" for n in cpu_counts) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in cpu_counts) + " |")
    for name, count, label in WORKLOADS:
        cells = []
        base = medians[(name, cpu_counts[0])]
        for cpus in cpu_counts:
            seconds = medians[(name, cpus)]
            cells.append(f"{seconds:.2f} s, {count / seconds:.0f}/s, {base / seconds:.2f}x "
                         f"({workers[(name, cpus)]} workers, {cpu_seconds[(name, cpus)]:.2f} host CPU s)")
        print(f"| {label} | {count} | " + " | ".join(cells) + " |")
    print(f"(median of {arguments.runs} runs each; wall clock on the host; speedup over {cpu_counts[0]} CPU; "
          f"host CPU s: what QEMU's threads used meanwhile, median; the host has {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
