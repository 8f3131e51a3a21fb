#!/usr/bin/env bash
# The demo plays its whole script through the real decoder and check-in path: every step must
# give the outcome its caption promises, and the credits report must credit Hélène only.
set -euo pipefail
bornectl=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bornectl" --db "$tmp/demo.db" demo >"$tmp/out"
got=$(grep -E '^    ' "$tmp/out" | awk '{print $1 ($2 == "repeat" ? "+repeat" : "")}' | tr '\n' ' ')
want="accepted-entry accepted-entry+repeat accepted-entry not-registered already-in invalid-code \
revoked see-desk wrong-event accepted-entry accepted-exit accepted-exit exit-without-entry "
if [ "$got" != "$want" ]; then
    echo "demo outcomes: got:  $got" >&2
    echo "               want: $want" >&2
    exit 1
fi
grep -q '^1,Hélène Tremblay,101,A1,.*,1.50,' "$tmp/out"
grep -q '^6,Noël Bérubé,101,A1,.*,0.00,' "$tmp/out"
echo "demo: 3 passed, 0 failed"
