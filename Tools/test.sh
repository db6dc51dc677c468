#!/usr/bin/env bash
# Runs every test: installs what is missing, runs the whole Swift suite in release mode (numeric
# tests are 10–50× slower in debug builds), then the firmware's same-bytes tests: the Runtime as
# Embedded Swift (-no-allocations) for AArch64 Linux, x86-64 Linux and a Cortex-M4, each run on
# every shipped model (qemu-aarch64-static, natively, qemu-system-arm) against the host's bytes;
# then the model.q8 fuzz job (Tools/fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh --firmware
swift test -c release -Xswiftc -enable-testing --disable-xctest
Tools/check-isa-symbols.sh
make -C Firmware test
# model.q8 under libFuzzer + AddressSanitizer with the structure-aware mutator, 3 minutes.
Tools/fuzz/run.sh "${MINNOW_FUZZ_SECONDS:-180}"
