#!/usr/bin/env bash
# The organiser-file corpus (tests/data/imports) through the real bornectl and borne-registry:
# each file ends as expect.tsv says (exit 0 with the counts and names, or exit 3 with a message
# naming line, column and value), and no re-import without --replace ever loses a person or a
# registration (exit 0 keeping everything, or exit 1 refusing and changing nothing).
# Usage: test_imports.sh BORNECTL BORNE_REGISTRY CORPUS_DIR
set -euo pipefail
bornectl=$1
registry=$2
corpus=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=SCRIPTDIR/../support/checks.sh
. "$(dirname "$0")/../support/checks.sh"

run() { # run CMD... -> exit code; output in $tmp/out and $tmp/err
    set +e
    "$@" >"$tmp/out" 2>"$tmp/err"
    echo $?
    set -e
}

ctl() { "$bornectl" --db "$tmp/ctl.db" "$@"; }
reg() { "$registry" --db "$tmp/reg.db" "$@"; }

fresh() { # fresh [EVENT_FILE]: new stores holding the corpus event
    rm -f "$tmp"/ctl.db* "$tmp"/reg.db*
    ctl init >/dev/null
    ctl event import "${1:-$corpus/event.json}" >/dev/null
    reg event import "${1:-$corpus/event.json}" >/dev/null
}

# Every message piece of the row is in $tmp/err.
has_pieces() {
    local IFS='|' piece
    for piece in $1; do
        grep -qF -- "$piece" "$tmp/err" || { echo "missing \"$piece\" in: $(cat "$tmp/err")" >&2; return 1; }
    done
}

# Every "ID=Name" check of the row is a line of `bornectl list`.
has_names() {
    local IFS='|' c
    ctl list >"$tmp/list"
    for c in $1; do
        case $c in
        *=*) grep -qF -- "${c%%=*}	${c#*=}	" "$tmp/list" || return 1 ;;
        esac
    done
}

rows=0
while IFS=$'\t' read -r file kind result count regs checks; do
    case $file in '#'* | '') continue ;; esac
    rows=$((rows + 1))
    if [ "$kind" = event ]; then
        rm -f "$tmp"/ctl.db* "$tmp"/reg.db*
        ctl init >/dev/null
        want=$([ "$result" = ok ] && echo 0 || echo 3)
        check "$file: bornectl event import exits $want" test "$(run ctl event import "$corpus/$file")" = "$want"
        [ "$result" = ok ] || check "$file: bornectl message" has_pieces "$checks"
        check "$file: borne-registry event import exits $want" test "$(run reg event import "$corpus/$file")" = "$want"
        [ "$result" = ok ] || check "$file: borne-registry message" has_pieces "$checks"
        continue
    fi
    fresh
    if [ "$result" = ok ]; then
        check "$file: bornectl exits 0" test "$(run ctl roster import "$corpus/$file")" = 0
        check "$file: bornectl counts" grep -q "^$count participants imported, $regs session registrations" "$tmp/out"
        check "$file: names as written" has_names "$checks"
        check "$file: borne-registry exits 0" test "$(run reg roster import 88 "$corpus/$file")" = 0
        check "$file: borne-registry counts" grep -q "^event 88: $count participants" "$tmp/out"
    else
        check "$file: bornectl exits 3" test "$(run ctl roster import "$corpus/$file")" = 3
        check "$file: bornectl message" has_pieces "$checks"
        check "$file: bornectl kept nothing" test "$(ctl list | wc -l)" = 0
        check "$file: borne-registry exits 3" test "$(run reg roster import 88 "$corpus/$file")" = 3
        check "$file: borne-registry message" has_pieces "$checks"
    fi
done <"$corpus/expect.tsv"
check "corpus has at least 30 files" test "$rows" -ge 30

# Announced conversions.
fresh
run ctl roster import "$corpus/excel-fr-cp1252-semicolon-crlf.csv" >/dev/null
check "bornectl says it converted Windows-1252" grep -q "^file read as Windows-1252 and converted to UTF-8" "$tmp/out"
run reg roster import 88 "$corpus/excel-unicode-text-utf16le-tab.txt" >/dev/null
check "borne-registry says it converted UTF-16" grep -q "^file read as UTF-16LE and converted to UTF-8" "$tmp/out"
run ctl roster import "$corpus/platform-export-extra-columns.csv" >/dev/null
check "ignored columns are listed" grep -q "^columns ignored: .*\"Courriel\"" "$tmp/out"
# Sessions under a name Borne does not read: refused (nothing stored) unless --ignore-columns.
fresh
check "sessions under another name: refused" test "$(run ctl roster import "$corpus/sessions-under-unknown-name.csv")" = 3
check "... naming the column" grep -qF '"Sessions choisies"' "$tmp/err"
check "... nothing stored" test "$(ctl search tremblay | grep -c Tremblay || true)" = 0
check "registry refuses it too" test "$(run reg roster import 88 "$corpus/sessions-under-unknown-name.csv")" = 3
check "--ignore-columns imports it" test "$(run ctl roster import --ignore-columns "$corpus/sessions-under-unknown-name.csv")" = 0
check "... without registrations" grep -q "0 session registrations" "$tmp/out"
check "registry --ignore-columns" test "$(run reg roster import 88 "$corpus/sessions-under-unknown-name.csv" --ignore-columns)" = 0

# Re-imports over the full roster: nothing lost without --replace. After each one, a dry run of
# the full roster must find nothing to add back.
base="$corpus/baseline-utf8-comma.csv"
nothing_lost() { # nothing_lost TOOL...
    local rc
    rc=$(run "$@" "$base" --dry-run)
    [ "$rc" = 0 ] || [ "$rc" = 1 ] || return 1
    grep -qE "people: 0 added, [0-9]+ changed, [0-9]+ removed; session registrations: 0 added" \
        "$tmp/out" "$tmp/err"
}
fresh
ctl roster import "$base" >/dev/null
reg roster import 88 "$base" >/dev/null
refused=0
while IFS=$'\t' read -r file kind _; do
    case $file in '#'* | '') continue ;; esac
    [ "$kind" = roster ] || continue
    for tool in ctl reg; do
        if [ $tool = ctl ]; then
            rc=$(run ctl roster import "$corpus/$file")
        else
            rc=$(run reg roster import 88 "$corpus/$file")
        fi
        check "$tool re-import $file: exit 0, 1 or 3 (got $rc)" test "$rc" = 0 -o "$rc" = 1 -o "$rc" = 3
        if [ "$rc" = 1 ]; then
            refused=$((refused + 1))
            check "$tool re-import $file: refusal names --replace" grep -q -- "--replace" "$tmp/err"
            check "$tool re-import $file: refusal gives the changes" grep -q "changes it would make: people:" "$tmp/err"
        fi
        if [ $tool = ctl ]; then
            check "ctl re-import $file: nothing lost" nothing_lost ctl roster import
            ctl roster import "$base" --replace >/dev/null
        else
            check "reg re-import $file: nothing lost" nothing_lost reg roster import 88
            reg roster import 88 "$base" --replace >/dev/null
        fi
    done
done <"$corpus/expect.tsv"
check "some re-imports were refused" test "$refused" -ge 6

# --replace applies removals; --dry-run shows them and changes nothing.
fresh
ctl roster import "$base" >/dev/null
reg roster import 88 "$base" >/dev/null
for tool in ctl reg; do
    if [ $tool = ctl ]; then imp=(ctl roster import); else imp=(reg roster import 88); fi
    check "$tool: shrinking re-import refused (1)" test "$(run "${imp[@]}" "$corpus/duplicate-session-codes.csv")" = 1
    check "$tool: refusal counts" grep -q "would remove 2 session registrations and 0 participants" "$tmp/err"
    check "$tool: dry run with --replace (0)" test "$(run "${imp[@]}" "$corpus/duplicate-session-codes.csv" --replace --dry-run)" = 0
    check "$tool: dry run diff" grep -q "^changes: people: 0 added, 3 changed, 3 removed; session registrations: 1 added, 6 removed" "$tmp/out"
    check "$tool: dry run changed nothing" nothing_lost "${imp[@]}"
    check "$tool: --replace applies (0)" test "$(run "${imp[@]}" "$corpus/duplicate-session-codes.csv" --replace)" = 0
    check "$tool: --replace diff" grep -q "^changes: people: 0 added, 3 changed, 3 removed; session registrations: 1 added, 6 removed" "$tmp/out"
done
check "bornectl roster after --replace" test "$(ctl list | wc -l)" = 3
check "usage error (2)" test "$(run ctl roster import "$base" --frobnicate)" = 2

echo "imports: $passed passed, $failed failed"
test "$failed" = 0
