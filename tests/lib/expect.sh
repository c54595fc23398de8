# Assertions for the shell tests (source it): each counts a pass or prints the
# failure; end a test with `report NAME`, which prints the counts and fails the
# script when any check failed.
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
expect_eq() {  # name actual expected
  if [[ "$2" == "$3" ]]; then ok; else bad "$1: got '$2', expected '$3'"; fi
}
expect_contains() {  # name haystack needle
  if [[ "$2" == *"$3"* ]]; then ok; else bad "$1: output lacks '$3'. Output was:"$'\n'"$2"; fi
}
report() {  # name
  echo "$1: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
