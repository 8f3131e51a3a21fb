#!/usr/bin/env bash
# bornectl decode: each image read on its own, and machine output that survives payloads with
# newlines (vCard, MECARD, Wi-Fi codes). The QR images are drawn here (qr_png, libqrencode).
# Usage: test_decode.sh BORNECTL QR_PNG
set -euo pipefail
bornectl=$1
qr_png=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=SCRIPTDIR/../support/checks.sh
. "$(dirname "$0")/../support/checks.sh"

exit_code() { # exit_code CMD... -> prints the exit code, output to $tmp/out and $tmp/err
    set +e
    "$@" >"$tmp/out" 2>"$tmp/err"
    echo $?
    set -e
}

vcard=$'BEGIN:VCARD\nVERSION:3.0\nN:Tremblay;Hélène\nTEL:+1-418-555-0100\nEND:VCARD'
mecard=$'MECARD:N:Côté,Luc;\nTEL:4185550199;;'
wifi=$'WIFI:T:WPA;S:Salle "B";\nP:mot\\;de passe;;'
"$qr_png" "$tmp/vcard.png" "$vcard"
"$qr_png" "$tmp/mecard.png" "$mecard" 3
"$qr_png" "$tmp/wifi tab	name.png" "$wifi" 5
"$qr_png" "$tmp/plain.png" "BO:ABCDEFGHIJKLMNOP"
"$qr_png" "$tmp/blank.png" ""
printf 'not an image' >"$tmp/junk.png"

# --json: one object per line, the payload's newlines escaped
check "json exit 0" test "$(exit_code "$bornectl" decode --json "$tmp/vcard.png" "$tmp/mecard.png" \
    "$tmp/wifi tab	name.png")" = 0
check "json: one line per image" test "$(wc -l <"$tmp/out")" = 3
cat >"$tmp/check.py" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
want = sys.argv[2:]
assert len(lines) == len(want) // 2, lines
for line, (path, text) in zip(lines, zip(want[::2], want[1::2])):
    o = json.loads(line)
    assert o["path"] == path, (o, path)
    assert o["texts"] == [text], (o, text)
    assert "error" not in o
PY
if command -v python3 >/dev/null; then
    check "json: paths and texts exact" python3 "$tmp/check.py" "$tmp/out" \
        "$tmp/vcard.png" "$vcard" "$tmp/mecard.png" "$mecard" "$tmp/wifi tab	name.png" "$wifi"
fi
check "json: newline escaped" grep -q 'BEGIN:VCARD\\nVERSION:3.0\\nN:Tremblay;Hélène' "$tmp/out"

# an unreadable file and a file without a code: an error object, an empty texts array
check "json junk is bad data (3)" test "$(exit_code "$bornectl" decode --json "$tmp/junk.png" \
    "$tmp/plain.png")" = 3
check "json junk has an error" grep -q "^{\"path\": \"$tmp/junk.png\", \"error\": \"" "$tmp/out"
check "json: the next file still read" grep -q '"texts": \["BO:ABCDEFGHIJKLMNOP"\]' "$tmp/out"
check "json no code (1)" test "$(exit_code "$bornectl" decode --json "$tmp/blank.png")" = 1
check "json no code: empty texts" grep -q '"texts": \[\]' "$tmp/out"

# a payload that is not UTF-8 (Latin-1 "café"): given in hexadecimal, never as broken text
"$qr_png" "$tmp/latin1.png" $'caf\xe9'
check "json latin-1 exit 0" test "$(exit_code "$bornectl" decode --json "$tmp/latin1.png")" = 0
check "json latin-1 as hex" grep -q '"texts": \[\], "hex": \["636166e9"\]' "$tmp/out"

# -0: PATH NUL TEXT NUL per image
check "nul exit 0" test "$(exit_code "$bornectl" decode -0 "$tmp/vcard.png" "$tmp/wifi tab	name.png")" = 0
printf '%s\0%s\0%s\0%s\0' "$tmp/vcard.png" "$vcard" "$tmp/wifi tab	name.png" "$wifi" >"$tmp/want"
check "nul: fields exact" cmp -s "$tmp/out" "$tmp/want"

# the plain format is unchanged; an unknown option is a usage error
check "tab exit 0" test "$(exit_code "$bornectl" decode "$tmp/plain.png")" = 0
check "tab line" test "$(cat "$tmp/out")" = "$tmp/plain.png	BO:ABCDEFGHIJKLMNOP"
check "unknown option (2)" test "$(exit_code "$bornectl" decode --xml "$tmp/plain.png")" = 2

# each file on its own: the same images in any order give the same texts (no state carried)
"$bornectl" decode --json "$tmp/mecard.png" "$tmp/plain.png" "$tmp/vcard.png" >"$tmp/a"
"$bornectl" decode --json "$tmp/vcard.png" "$tmp/plain.png" "$tmp/mecard.png" >"$tmp/b"
check "order does not matter" test "$(sort "$tmp/a")" = "$(sort "$tmp/b")"

echo "bornectl decode: $passed passed, $failed failed"
test "$failed" = 0
