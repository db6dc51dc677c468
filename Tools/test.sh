#!/usr/bin/env bash
# Runs every test: installs what is missing, checks that Runtime compiles as Embedded Swift, then
# runs the whole suite in release mode (numeric tests are 10–50× slower in debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
Tools/check-embedded.sh
swift test -c release -Xswiftc -enable-testing --disable-xctest
