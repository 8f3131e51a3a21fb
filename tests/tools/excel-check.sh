#!/bin/sh
# Opens a credits export made for French Excel (`borne-registry report credits EVENT FILE
# --format excel`) with LibreOffice Calc, headless, as a French (Canada) user would, and shows
# what the spreadsheet holds: the text of each cell and, for the hours, whether the cell is a
# number. A manual check (docs/credits.md, "Exports"), not part of the test suite: LibreOffice
# is not a build or CI dependency (Debian: libreoffice-calc-nogui).
#
# usage: tests/tools/excel-check.sh FILE.csv
set -eu
file=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cp "$file" "$out/credits.csv"
# CSV filter options: separator ';' (59), quote '"' (34), UTF-8 (76), from line 1, default
# column types, language fr-CA (3084): what Excel in French (Canada) does with a .csv.
LC_ALL=fr_CA.UTF-8 soffice --headless -env:UserInstallation=file://$out/profile \
    --infilter='CSV:59,34,76,1,,3084' --convert-to fods --outdir "$out" "$out/credits.csv" \
    >/dev/null 2>&1
fods="$out/credits.fods"
test -s "$fods" || { echo "LibreOffice did not convert the file" >&2; exit 1; }
echo "header: $(grep -o '<text:p>[^<]*</text:p>' "$fods" | head -9 | sed 's/<[^>]*>//g' | paste -sd'|')"
echo "numeric cells: $(grep -c 'office:value-type="float"' "$fods")"
echo "hours as numbers: $(grep -o 'office:value-type="float" office:value="[0-9.]*"' "$fods" |
    sed 's/.*value="//; s/"//' | paste -sd' ')"
# The event's total, as a sum the spreadsheet computes (the last numeric cell of the last row).
