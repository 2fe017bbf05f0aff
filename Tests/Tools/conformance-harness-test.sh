#!/usr/bin/env bash
# Checks Tools/conformance.py's verdicts against a stand-in for QEMU that
# prints a prompt and a canned usertests answer (part of make test through
# conformance-harness-test): a pass must pass, and a failing test, a panic,
# a prompt without the verdict and silence must each fail with their reason.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fake=$work/fake-qemu.sh
cat > "$fake" <<'FAKE'
#!/usr/bin/env bash
# $1: how the run ends; $2: the disk image (must exist: the harness copies it).
[ -f "$2" ] || { echo "no disk $2"; exit 3; }
printf 'init: starting sh\n$ '
read -r -d $'\r' line
printf '%s\nusertests starting\ntest copyin: OK\n' "$line"
case $1 in
    pass) printf 'test copyout: OK\nALL TESTS PASSED\n$ ' ;;
    fail) printf 'test sbrkbugs: open failed\nFAILED\nSOME TESTS FAILED\n$ ' ;;
    panic) printf 'test bigdir: panic: ialloc: no inodes\n' ;;
    prompt) printf '$ ' ;;
    silent) ;;
esac
sleep 20
FAKE
chmod +x "$fake"
head -c 4096 /dev/zero > "$work/fs.img"
checks=0
failures=0
expect() {  # expect NAME STATUS REGEX OUTPUT-STATUS OUTPUT
    checks=$((checks + 1))
    if [ "$2" != "$4" ] || ! printf '%s\n' "$5" | grep -Eq "$3"; then
        failures=$((failures + 1))
        echo "FAIL $1: status $4 (wanted $2), output:"
        printf '%s\n' "$5" | sed 's/^/    /'
    fi
}
run() {
    python3 Tools/conformance.py --image "$work/fs.img" --log-dir "$work/logs" --runs "usertests -q=$2" \
        -- "$fake" "$1" '{disk}' 2>&1
}
out=$(run pass 10); expect "a pass" 0 'usertests -q`: ALL TESTS PASSED \(2 tests OK' $? "$out"
out=$(run fail 10); expect "a failed test" 1 'FAILED: a test failed; last test: sbrkbugs; 1 tests OK' $? "$out"
out=$(run panic 10); expect "a panic" 1 'FAILED: the kernel panicked; last test: bigdir' $? "$out"
out=$(run prompt 10); expect "the prompt first" 1 'FAILED: the shell prompt came back without ALL TESTS PASSED' $? "$out"
out=$(run silent 2); expect "no verdict in time" 1 'FAILED: no verdict within 2(\.0)? s' $? "$out"
out=$(python3 Tools/conformance.py --image "$work/fs.img" --log-dir "$work/logs" --runs 'usertests -q=10;usertests=10' \
    -- "$fake" pass '{disk}' 2>&1)
expect "two runs, each in a fresh boot" 0 'conformance: 2 passed, 0 failed' $? "$out"
echo "conformance harness: $((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
