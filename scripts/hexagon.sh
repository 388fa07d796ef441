#!/usr/bin/env bash
# Fails when a domain crate depends, directly or not, on an adapter library.
#   scripts/hexagon.sh FORBIDDEN...
# The domain crates are the workspace members marked `[package.metadata.axis] layer = "domain"`
# (read from `cargo metadata`), so a new domain crate is checked as soon as it says what it is.
set -euo pipefail
forbidden=("$@")
mapfile -t crates < <(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
for package in json.load(sys.stdin)["packages"]:
    if ((package.get("metadata") or {}).get("axis") or {}).get("layer") == "domain":
        print(package["name"])
')
if [ ${#crates[@]} -lt 4 ]; then
  echo "hexagon: expected the domain crates (kernel, identity, audit, clients, ...), found: ${crates[*]:-none}" >&2
  exit 2
fi
status=0
for crate in "${crates[@]}"; do
  for dep in "${forbidden[@]}"; do
    # `cargo tree -i` prints the inverse tree when the package is in the graph, and fails
    # with "did not match any packages" when it is not; any other failure is an error.
    if out=$(cargo tree -p "$crate" --all-features -e normal -i "$dep" 2>&1); then
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
[ $status = 0 ] && echo "hexagon: ${#crates[@]} domain crates (${crates[*]}) free of: ${forbidden[*]}"
exit $status
