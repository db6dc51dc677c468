#!/usr/bin/env bash
# Compiles the Runtime module as Embedded Swift for AArch64 and Cortex-M4 (armv7em), so it can
# never drift out of the Embedded subset; -no-allocations fails the build on any heap allocation. Objects go to a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for target in aarch64-none-none-elf armv7em-none-none-eabi; do
  swiftc -enable-experimental-feature Embedded -no-allocations -wmo -parse-as-library -Osize \
    -module-name Runtime -target "$target" -c $(find Sources/Runtime -name "*.swift" | sort) -o "$out/runtime-$target.o"
  echo "embedded: Runtime compiles for $target ($(stat -c %s "$out/runtime-$target.o") bytes of object code)"
done
