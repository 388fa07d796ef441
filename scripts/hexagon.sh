#!/usr/bin/env bash
# Fails when a domain crate depends, directly or not, on an adapter library.
#   scripts/hexagon.sh CRATE... -- FORBIDDEN...
set -euo pipefail
crates=(); forbidden=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do crates+=("$1"); shift; done
shift || true
forbidden=("$@")
status=0
for crate in "${crates[@]}"; do
  for dep in "${forbidden[@]}"; do
    # `cargo tree -i` prints the inverse tree when the package is in the graph, and fails
    # with "did not match any packages" when it is not; any other failure is an error.
    if out=$(cargo tree -p "$crate" -e normal -i "$dep" 2>&1); then
      echo "hexagon: domain crate $crate depends on $dep:" >&2
      echo "$out" | head -n 8 >&2
      status=1
    elif ! grep -q "did not match any packages" <<<"$out"; then
      echo "hexagon: cargo tree failed for $crate / $dep:" >&2
      echo "$out" >&2
      exit 2
    fi
  done
done
[ $status = 0 ] && echo "hexagon: ${#crates[@]} domain crates free of: ${forbidden[*]}"
exit $status
