#!/usr/bin/env bash
# Float vs int8 on the full Fashion-MNIST test set: the defaults, each default step turned off
# in turn, and every calibration method with the other defaults; calibrating on the shipped
# 1,000-image sample. "float" is always the original model.bin.
# Usage: Tools/compare_calibration.sh [--methods "minmax mse"] [Models/fm_dsconv/model.bin ...]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product minnow > /dev/null
minnow=.build/release/minnow
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
methods="minmax mse entropy"
if [ "${1:-}" = --methods ]; then methods=$2; shift 2; fi
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(Models/*/model.bin)
printf "%-12s %-11s %-28s %8s %8s %7s %9s\n" model method options float int8 drop agreement
for model in "${models[@]}"; do
  name=$(basename "$(dirname "$model")")
  runs=("percentile|" "percentile|--no-equalize-activations" "percentile|--no-adaptive-rounding"
        "percentile|--no-search-ranges" "percentile|--no-bias-correction" "percentile|--equalize")
  for method in $methods; do runs+=("$method|"); done
  for run in "${runs[@]}"; do
    method=${run%%|*}
    flags=${run#*|}
    # shellcheck disable=SC2086
    $minnow quantize "$model" --method "$method" $flags -o "$out/m.q8" > /dev/null
    $minnow eval "$model" "$out/m.q8" --dataset fashion-mnist --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
print('%-12s %-11s %-28s %8.2f %8.2f %7.2f %9.2f' % ('$name', '$method', '${flags:-defaults}', d['float_top1'], d['int8_top1'], d['drop_pp'], d['agreement']))"
  done
done
