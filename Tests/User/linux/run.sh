#!/bin/bash
# Runs Swiftlet's x86-64 user programs as Linux processes (see User/user.mk,
# user-linux-test) and checks what they print. Usage: run.sh DIR, where DIR
# holds the programs linked with the Linux shim.
set -u
cd "$1" || exit 1
failures=0
checks=0

check() {  # check NAME WANTED GOT
    checks=$((checks + 1))
    if [ "$2" != "$3" ]; then
        failures=$((failures + 1))
        echo "FAIL $1"
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /'
    fi
}

contains() {  # contains NAME NEEDLE HAYSTACK
    checks=$((checks + 1))
    case "$3" in
        *"$2"*) ;;
        *) failures=$((failures + 1)); echo "FAIL $1: no '$2' in:"; printf '%s\n' "$3" | sed 's/^/    /' ;;
    esac
}

# Limits that give Linux Swiftlet's answers: sbrk(1 GiB) must fail, and
# fork must run out of process slots. Root ignores the process limit, so
# run as nobody then.
limited() {
    (
        ulimit -c 0
        ulimit -v 262144
        ulimit -u 60
        if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
            exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
        fi
        exec "$@"
    )
}
chmod -R a+rwX . 2>/dev/null

# memtest on its own.
out=$(limited ./memtest 2>&1); status=$?
check "memtest exit status" 0 "$status"
contains "memtest summary" "36 passed, 0 failed" "$out"
check "memtest prints only ok lines and the summary" "" "$(printf '%s\n' "$out" | grep -v ': ok$' | grep -v ': expect: pid ' | grep -v '^36 passed, 0 failed$')"

# init in test mode, started like the first process (no open files): its
# console is the file "console"; halt's status becomes the exit status.
: > console
chmod a+rw console
# Only memtest: exhaust and sysfuzz judge what only Swiftlet's kernel decides
# (its limits, its frame counts), and sysfuzz's watchdogs kill by pid range.
limited ./init test memtest 0<&- 1>&- 2>&-; status=$?
check "init test exit status (halt)" 0 "$status"
console=$(cat console)
contains "init test mode banner" "init: test mode: running memtest" "$console"
contains "init reports memtest" "init: memtest exited with status 0" "$console"
contains "init sums up and halts" "init: 1 test programs, 0 failed: halt(0)" "$console"
check "init's summary is the last line" "1 passed, 0 failed" "$(tail -n 1 console)"

# Without the limits Linux lets sbrk(1 GiB) succeed: memtest must say so,
# fail, and init must then halt(1).
: > console
(ulimit -c 0; ./init test memtest 0<&- 1>&- 2>&-); status=$?
check "init test exit status when memtest fails" 1 "$status"
console=$(cat console)
contains "memtest reports the failure" "memtest: sbrk too much: FAILED (sbrk(1 GiB) succeeded at" "$console"
contains "init halts with 1" "halt(1)" "$console"

# sh, from a script on standard input (prompts go to standard error).
printf 'from a file\n' > input.txt
transcript=$(./sh 2>&1 <<'SCRIPT'
echo hello world
echo a b | cat
echo one ; echo two
cat < input.txt
echo redirected > out.txt
cat out.txt
echo piped | cat | cat
nosuchprogram arg
cd /nonexistent
echo "quoted | text"   spaced
echo | 
cat missing-file
exit
echo not reached
SCRIPT
)
wanted='$ hello world
$ a b
$ one
two
$ from a file
$ $ redirected
$ piped
$ exec nosuchprogram failed
$ cannot cd /nonexistent
$ quoted | text spaced
$ sh: missing command
$ cat: cannot open missing-file
$ '
check "sh transcript" "$wanted" "$transcript"

# A background job: its pid is announced and it runs.
bg=$(printf 'echo in-background &\n' | ./sh 2>&1; sleep 0.2)
contains "sh background announces a pid" "[" "$bg"
contains "sh background job ran" "in-background" "$bg"
# End of input ends the shell with status 0.
printf '' | ./sh >/dev/null 2>&1
check "sh exits 0 at end of input" 0 "$?"

# The other programs.
check "echo" "a b c" "$(./echo a b c)"
check "echo without arguments" "" "$(./echo)"
check "cat from stdin" "piped text" "$(echo piped text | ./cat)"
check "cat files" "from a file
redirected" "$(./cat input.txt out.txt)"
ls=$(./ls)
contains "ls lists memtest" "memtest" "$ls"
contains "ls shows types and sizes" "file" "$ls"
vmmap=$(./vmmap)
contains "vmmap prints a layout block" "layout x86_64 process" "$vmmap"
contains "vmmap shows the text" "0x40_0000" "$vmmap"
contains "vmmap shows its permissions" "frames  r-xu  user" "$vmmap"
contains "vmmap ends its block" "end layout" "$vmmap"
contains "free" "free frames: 1000 (4000 KiB)" "$(./free)"
fork=$(limited ./forktest 2>&1); status=$?
check "forktest status" 0 "$status"
contains "forktest" "fork test OK" "$fork"

# The file programs, and the shell on real files (mkdir, redirection, cd).
transcript=$(./sh 2>&1 <<'SCRIPT'
mkdir d
echo hi > d/f
cat d/f
cd d
../echo there > g
cd ..
cat d/g
ln d/f d/h
cat < d/h
SCRIPT
)
wanted='$ $ $ hi
$ $ $ $ there
$ $ hi
$ '
check "sh on files: mkdir, >, <, cd, ln" "$wanted" "$transcript"
# ls DIR stats each entry beside DIR (the order is the host's).
check "ls of a subdirectory" ". dir
.. dir
f file 3
g file 6
h file 3" "$(./ls d | awk '{print $1, $2, ($2 == "dir" ? "" : $4)}' | sed 's/ $//' | sort)"
transcript=$(./sh 2>&1 <<'SCRIPT'
rm d/f d/g d/h
rm d/f
rm d
cd d
mkdir
SCRIPT
)
wanted='$ $ rm: cannot remove d/f
$ $ cannot cd d
$ usage: mkdir DIR...
$ '
check "sh: rm, cd to a removed directory, mkdir usage" "$wanted" "$transcript"
check "rm removed the directory" "gone" "$([ -e d ] || echo gone)"

printf 'hello world\nfoo bar\nabc123\n\nxaaay\nend$\n' > g.txt
check "wc of a file" "6 7 39 g.txt" "$(./wc g.txt)"
check "wc of standard input" "6 7 39" "$(./wc < g.txt)"
check "wc of two files" "6 7 39 g.txt
1 3 12 input.txt
7 10 51 total" "$(./wc g.txt input.txt)"
check "grep a substring" "hello world
foo bar" "$(./grep o g.txt)"
check "grep anchors, class, star, -n" "3:abc123" "$(./grep -n '^a.c[0-9]*$' g.txt)"
check "grep -v, -c" "1" "$(./grep -vc '[a-z]' g.txt)"
check "grep escaped \$ and [^...]" "end\$
xaaay" "$(./grep 'end\$' g.txt; ./grep '^x[^b]*y$' g.txt)"
./grep zzz g.txt; check "grep status when nothing matches" 1 "$?"
./grep '[' g.txt 2>/dev/null; check "grep status for a bad pattern" 2 "$?"
contains "grep usage names its matcher" "small regular expression" "$(./grep 2>&1)"

check "fsstress" "fsstress: 3 processes x 30 rounds: ok" "$(./fsstress 3 30 2>&1)"
check "fsstress write" "fsstress: committed f0 7920
fsstress: committed f1 15839
fsstress: committed f2 23758" "$(./fsstress write pc 3 2>&1)"
check "fsstress verify" "fsstress: verified 3 files in pc" "$(./fsstress verify pc 3 2>&1)"
printf 'X' | dd of=pc/f1 bs=1 seek=9000 conv=notrunc 2>/dev/null
check "fsstress verify finds a changed byte" "fsstress: pc/f1: wrong byte at offset 9000" "$(./fsstress verify pc 3 2>&1)"
rm -rf pc

# stress's storms (one CPU here: the shim's cpucount says 1), and its refusal of bad arguments.
out=$(./stress 3 3 2>&1); status=$?
check "stress exit status" 0 "$status"
contains "stress passes" "stress: PASS: 3 workers on 1 CPUs" "$out"
out=$(./stress 3 9 2>&1); status=$?
check "stress refuses 9 workers" 1 "$status"
contains "stress says why" "stress: FAIL: usage" "$out"
for workload in fork pipe; do
    out=$(./stress bench $workload 40 2>&1); status=$?
    check "stress bench $workload exit status" 0 "$status"
    contains "stress bench $workload" "stress: bench $workload done: 40 operations" "$out"
done
out=$(./stress bench spin 40 2>&1); status=$?
check "stress bench refuses an unknown workload" 1 "$status"
contains "stress bench says why" "stress: bench spin FAILED: usage" "$out"

# fstest's cases that do not depend on Swiftlet's format (its largest file,
# its inode and block counts).
fstest=$(./fstest files flags dirs removed-cwd links unlink-open bigdir fork-offset concurrent 2>&1); status=$?
check "fstest exit status" 0 "$status"
contains "fstest summary" "10 passed, 0 failed" "$fstest"

echo "linux user test: $((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
