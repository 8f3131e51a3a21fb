#!/usr/bin/env bash
# Privacy and key-file checks through bornectl (docs/privacy.md):
#   - every command run with BORNE_LOG=debug; its standard error (the journal on a kiosk) must
#     hold no participant name, organisation, e-mail, badge code or scanned text;
#   - the signing key is written owner-only (0600) even under a permissive umask;
#   - `bornectl purge` refuses while check-ins are unsynced (exit 1) and forgets an ended event
#     with nothing left to sync.
# Usage: test_privacy.sh BORNECTL DATA_DIR
set -euo pipefail
bornectl=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/p.db"
log="$tmp/log"
: >"$log"
export BORNE_LOG=debug
# shellcheck source=SCRIPTDIR/../support/checks.sh
. "$(dirname "$0")/../support/checks.sh"

ctl() { # ctl ARGS... : standard output to $tmp/out, standard error appended to the log
    "$bornectl" --db "$db" "$@" >"$tmp/out" 2>>"$log"
}

rc_of() { # rc_of ARGS... : prints ctl's exit code
    local rc=0
    ctl "$@" || rc=$?
    echo "$rc"
}

check "init" test "$(rc_of init)" = 0
check "event import" test "$(rc_of event import "$data/event.json")" = 0
(umask 000 && ctl keys generate --out "$tmp/sig.key")
check "key file owner-only under umask 000" test "$(stat -c %a "$tmp/sig.key")" = 600
check "roster import" test "$(rc_of roster import "$data/roster.csv")" = 0
ctl token issue --key "$tmp/sig.key"
cut -f2 "$tmp/out" >"$tmp/tokens"
check "three badges" test "$(wc -l <"$tmp/tokens")" = 3
while read -r tok; do
    ctl scan "$tok" || true
    ctl scan --mode exit "$tok" || true
    ctl scan "${tok:0:70}Z${tok:71}" || true # altered
done <"$tmp/tokens"
ctl scan "n'importe quoi, Hélène" || true
ctl scan "'; DROP TABLE checkin; --" || true
ctl search helene || true
ctl search "bélanger" || true
ctl list
ctl revoke "$(head -1 "$tmp/tokens")" --reason "badge perdu par Hélène"
ctl export checkins "$tmp/export.csv"
ctl report credits "$tmp/credits.csv"
ctl status
check "purge refused while check-ins are unsynced (1)" test "$(rc_of purge --now 2031-01-01T00:00:00Z)" = 1
check "purge says why" grep -q "not yet synced" "$log"
check "nothing purged" test "$(ctl list || true; wc -l <"$tmp/out")" = 3
check "purge usage error (2)" test "$(rc_of purge --retention-days x)" = 2

# A second store: an ended event with nothing to sync is forgotten.
db="$tmp/q.db"
ctl init
ctl event import "$data/event.json"
ctl roster import "$data/roster.csv"
check "purge within retention keeps (0)" test "$(rc_of purge --now 2020-01-01T00:00:00Z)" = 0
check "kept line" grep -q "^kept	1 events" "$tmp/out"
check "purge after retention (0)" test "$(rc_of purge --retention-days 30 --now 2031-01-01T00:00:00Z)" = 0
check "purged line" grep -q "^purged	1 events	3 participants" "$tmp/out"
check "roster gone" test "$(ctl list || true; wc -l <"$tmp/out")" = 0
check "names gone from the file" test "$(grep -c "Tremblay" "$db" || true)" = 0

# The log: debug messages were written, and none names anyone or holds a code.
check "debug logging ran" test -s "$log"
for word in Hélène Tremblay François Bélanger Josée Bouchard helene belanger "Ville de" \
    Gatineau "Lévis" example.org "n'importe" "DROP TABLE" "badge perdu"; do
    check "log holds no '$word'" test "$(grep -ci -- "$word" "$log" || true)" = 0
done
while read -r tok; do
    check "log holds no badge code" test "$(grep -cF -- "${tok:4:24}" "$log" || true)" = 0
done <"$tmp/tokens"

echo "privacy: $passed passed, $failed failed ($(wc -l <"$log") log lines checked)"
test "$failed" = 0
