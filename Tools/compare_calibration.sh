#!/usr/bin/env bash
# Float vs int8 on the full Fashion-MNIST test set for every calibration method, with and
# without bias correction and cross-layer equalization, calibrating on the shipped
# 1,000-image sample. "float" is always the original model.bin.
# Usage: Tools/compare_calibration.sh [--methods "minmax percentile"] [Models/fm_dsconv/model.bin ...]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product minnow > /dev/null
minnow=.build/release/minnow
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
methods="minmax percentile mse entropy"
if [ "${1:-}" = --methods ]; then methods=$2; shift 2; fi
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(Models/*/model.bin)
printf "%-12s %-11s %-5s %-5s %8s %8s %7s %9s\n" model method bias equal float int8 drop agreement
for model in "${models[@]}"; do
  name=$(basename "$(dirname "$model")")
  for method in $methods; do
    for flags in "--no-bias-correction" "--bias-correction" "--no-bias-correction --equalize" "--bias-correction --equalize"; do
      # shellcheck disable=SC2086
      $minnow quantize "$model" --samples 1000 --method "$method" $flags -o "$out/m.q8" > /dev/null
      $minnow eval "$model" "$out/m.q8" --dataset fashion-mnist --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
flags = '$flags'
print('%-12s %-11s %-5s %-5s %8.2f %8.2f %7.2f %9.2f' % ('$name', '$method', 'no' if 'no-bias' in flags else 'yes',
      'yes' if 'equalize' in flags else 'no', d['float_top1'], d['int8_top1'], d['drop_pp'], d['agreement']))"
    done
  done
done
