#!/usr/bin/env bash
# bornectl end to end: an organiser's workflow, with the exit codes the man page promises.
# Usage: test_bornectl.sh BORNECTL DATA_DIR
set -euo pipefail
bornectl=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/test.db"
# shellcheck source=SCRIPTDIR/../support/checks.sh
. "$(dirname "$0")/../support/checks.sh"

ctl() { "$bornectl" --db "$db" "$@"; }

exit_code() { # exit_code CMD... -> prints the exit code, output to $tmp/out and $tmp/err
    set +e
    "$@" >"$tmp/out" 2>"$tmp/err"
    echo $?
    set -e
}

check "init" test "$(exit_code ctl init)" = 0
check "status before setup says not set up (5)" test "$(exit_code ctl status)" = 5
check "scan before setup (5)" test "$(exit_code ctl scan hello)" = 5
check "unknown command is a usage error (2)" test "$(exit_code ctl frobnicate)" = 2

printf '{"id": 77, "name": "X", "starts": "2026-05-20", "ends": "2026-05-19"}' >"$tmp/bad.json"
check "bad event is bad data (3)" test "$(exit_code ctl event import "$tmp/bad.json")" = 3
check "bad event message" grep -q "must be after \"starts\"" "$tmp/err"
check "event import" test "$(exit_code ctl event import "$data/event.json")" = 0
check "event show lists sessions" test "$(exit_code ctl event show)" = 0
check "event show has S2" grep -q "Règlements d’emprunt" "$tmp/out"

check "keys generate" test "$(exit_code ctl keys generate --out "$tmp/sig.key")" = 0
check "key file is owner-only" test "$(stat -c %a "$tmp/sig.key")" = 600
check "keys generate refuses to overwrite" test "$(exit_code ctl keys generate --out "$tmp/sig.key")" = 4

check "bad roster is bad data (3)" test "$(exit_code ctl roster import "$data/roster-bad.csv")" = 3
check "bad roster names its line" grep -q "line 3" "$tmp/err"
check "bad roster imported nothing" test "$(ctl list | wc -l)" = 0
check "roster import" test "$(exit_code ctl roster import "$data/roster.csv")" = 0
check "roster counts" grep -q "^3 participants imported, 4 session registrations" "$tmp/out"
check "e-mails are never stored" test "$(grep -c "example.org" "$db" || true)" = 0

check "search accents" test "$(exit_code ctl search helene trem)" = 0
check "search finds Hélène" grep -q "^1	Hélène Tremblay" "$tmp/out"
check "search without match (1)" test "$(exit_code ctl search zzzz)" = 1

tok1=$(ctl token issue --key "$tmp/sig.key" --participant 1 | cut -f2)
tok2=$(ctl token issue --key "$tmp/sig.key" --participant 2 | cut -f2)
tok3=$(ctl token issue --key "$tmp/sig.key" --participant 3 | cut -f2)
check "token shape" test "${#tok1}" = 130
check "token issue for all" test "$(ctl token issue --key "$tmp/sig.key" | wc -l)" = 3

check "scan accepted (0)" test "$(exit_code ctl scan "$tok1")" = 0
check "scan accepted word" grep -q "^accepted-entry	1	Hélène Tremblay" "$tmp/out"
check "scan again: already in" test "$(exit_code ctl scan "$tok1")" = 0
check "already-in word" grep -q "^already-in	1" "$tmp/out"
check "exit" test "$(exit_code ctl scan --mode exit "$tok1")" = 0
check "exit word" grep -q "^accepted-exit	1" "$tmp/out"
check "cancelled refused (1)" test "$(exit_code ctl scan "$tok3")" = 1
check "cancelled word" grep -q "^cancelled	3" "$tmp/out"
forged="${tok2:0:60}$([ "${tok2:60:1}" = A ] && echo B || echo A)${tok2:61}"
check "forged refused (1)" test "$(exit_code ctl scan "$forged")" = 1
check "forged word" grep -q "^invalid-code" "$tmp/out"
check "unknown refused (1)" test "$(exit_code ctl scan "n'importe quoi")" = 1
check "unknown word" grep -q "^unknown-code" "$tmp/out"
check "revoke" test "$(exit_code ctl revoke "$tok2" --reason "badge perdu")" = 0
check "revoked refused (1)" test "$(exit_code ctl scan "$tok2")" = 1
check "revoked word" grep -q "^revoked	2" "$tmp/out"
check "scan with unknown session is a usage error" test "$(exit_code ctl scan "$tok1" --session 999)" = 2

check "badges into a missing folder refused (2)" test "$(exit_code ctl badges --key "$tmp/sig.key" --out "$tmp/no/such")" = 2
check "badges names the missing folder" grep -q "the folder $tmp/no/such does not exist" "$tmp/err"
mkdir "$tmp/badges"
check "badges" test "$(exit_code ctl badges --key "$tmp/sig.key" --out "$tmp/badges" --pdf "$tmp/b.pdf")" = 0
check "badge PNGs" test "$(ls "$tmp/badges" | wc -l)" = 3
check "badge PDF" test "$(head -c 5 "$tmp/b.pdf")" = "%PDF-"
check "decode a badge" test "$(exit_code "$bornectl" decode "$tmp/badges/badge-1.png")" = 0
check "decoded badge holds the token" test "$(cut -f2 "$tmp/out")" = "$tok1"
printf 'not an image' >"$tmp/junk.png"
check "decode junk is bad data (3)" test "$(exit_code "$bornectl" decode "$tmp/junk.png")" = 3

check "export" test "$(exit_code ctl export checkins -)" = 0
check "export has every recorded row (already-in records nothing)" test "$(wc -l <"$tmp/out")" = 7
check "credits report" test "$(exit_code ctl report credits -)" = 0
check "credits report header" grep -q "^participant_id,name,session_id" "$tmp/out"
check "status" test "$(exit_code ctl status)" = 0
check "status counts" grep -q "^check-ins	6" "$tmp/out"

echo "bornectl: $passed passed, $failed failed"
test "$failed" = 0
