# Sourced by the shell tests (bash): named checks, counted.
#   check NAME COMMAND...   runs COMMAND; counts it in $passed or $failed, and names a failure on
#                           standard error. The script ends with its own summary and
#                           `test "$failed" = 0`.
passed=0
failed=0

check() {
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $name" >&2
    fi
}
