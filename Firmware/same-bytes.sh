#!/usr/bin/env bash
# Same-bytes tests: for each model named (a shipped model, tfl-NAME for ../shared/outside/NAME
# imported, whose host outputs `make` has already checked against TFLM's, tcase-NAME for the one-op
# TFLM case ../Tests/ImportTests/TFLMCases/NAME (checked the same way), or flt-NAME for the
# float model ../shared/outside-float/NAME imported and quantized), the exported test inputs run on the AArch64 executable
# (NEON kernels) under qemu-aarch64-static as a Cortex-A53, on the x86-64 executable natively, and in the Cortex-M4 image under
# qemu-system-arm; every output byte must equal the host runtime's (outputs.bin, expected.txt).
# Called by `make test`, which builds what it needs first.
set -euo pipefail
cd "$(dirname "$0")"
failures=0
for model in "$@"; do
  data=build/models/$model
  make -s "$data/expected.txt" "build/cortex-m4/$model.elf"
  count=$(wc -l < "$data/expected.txt")
  for target in aarch64-linux x86_64-linux; do
    runner=()
    [ "$target" = aarch64-linux ] && runner=(qemu-aarch64-static -cpu cortex-a53)
    "${runner[@]}" "build/$target/minnow-infer" "$data/model.q8" "$data/inputs.bin" "$data/$target-outputs.bin" > /dev/null
    if cmp -s "$data/$target-outputs.bin" "$data/outputs.bin"; then
      echo "same bytes: $model on $target ($count inputs)"
    else
      echo "DIFFERENT: $model on $target: $(cmp "$data/$target-outputs.bin" "$data/outputs.bin" | head -1)"
      failures=$((failures + 1))
    fi
  done
  timeout 600 qemu-system-arm -M mps2-an386 -nographic -monitor none -semihosting-config enable=on,target=native \
    -kernel "build/cortex-m4/$model.elf" > "$data/cortex-m4.txt" || { echo "FAILED: $model on cortex-m4 (exit $?)"; cat "$data/cortex-m4.txt"; failures=$((failures + 1)); continue; }
  if diff <(grep '^output ' "$data/cortex-m4.txt") "$data/expected.txt" > /dev/null; then
    echo "same bytes: $model on cortex-m4 ($count inputs, $(grep 'stack high-water' "$data/cortex-m4.txt"))"
  else
    echo "DIFFERENT: $model on cortex-m4:"
    diff <(grep '^output ' "$data/cortex-m4.txt") "$data/expected.txt" | head -5
    failures=$((failures + 1))
  fi
done
# Packed weights (quantize --pack-weights): the first model again, run on AArch64 without and
# with the dot-product extension (NEON, then SDOT for the packed convolutions) and on x86-64,
# against the host's bytes (AVX-VNNI or AVX2 packed kernels where this CPU has them). Imported
# models (tfl-*) already carry packed filters.
if [ $# -gt 0 ] && [ -f "../Models/$1/model.bin" ]; then
  data=build/models/$1-packed
  make -s "$data/expected.txt"
  for run in "aarch64-linux cortex-a53" "aarch64-linux max" "x86_64-linux"; do
    target=${run%% *} runner=()
    [ "$target" = aarch64-linux ] && runner=(qemu-aarch64-static -cpu "${run#* }")
    "${runner[@]}" "build/$target/minnow-infer" "$data/model.q8" "$data/inputs.bin" "$data/out.bin" > /dev/null
    if cmp -s "$data/out.bin" "$data/outputs.bin"; then
      echo "same bytes: $1 with packed weights on $run"
    else
      echo "DIFFERENT: $1 with packed weights on $run"; failures=$((failures + 1))
    fi
  done
fi

# The NEON kernels against the reference on AArch64 (a Cortex-A53 without the dot-product
# extension, and QEMU's "max" CPU with it), random cases.
for cpu in cortex-a53 max; do
  if qemu-aarch64-static -cpu "$cpu" build/aarch64-linux/kernel-check > "build/kernel-check-$cpu.txt"; then
    sed "s/^/kernel check (aarch64 $cpu): /" "build/kernel-check-$cpu.txt"
  else
    cat "build/kernel-check-$cpu.txt"; echo "FAILED: NEON kernel check on $cpu"; failures=$((failures + 1))
  fi
done

# The DSP kernels against the reference on the Cortex-M4 itself, random cases.
if timeout 900 qemu-system-arm -M mps2-an386 -nographic -monitor none -semihosting-config enable=on,target=native \
     -kernel build/cortex-m4/kernel-check.elf > build/kernel-check.txt; then
  sed 's/^/kernel check (cortex-m4): /' build/kernel-check.txt
else
  cat build/kernel-check.txt; echo "FAILED: DSP kernel check"; failures=$((failures + 1))
fi

# Bad input gets a clear error and leaves no output file behind.
if [ $# -gt 0 ]; then
  data=build/models/$1
  python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[-5] ^= 0xFF; open(sys.argv[2], 'wb').write(b)" \
    "$data/model.q8" "$data/corrupt.q8"
  head -c 100 "$data/inputs.bin" > "$data/short.bin"
  for target in aarch64-linux x86_64-linux; do
    runner=()
    [ "$target" = aarch64-linux ] && runner=(qemu-aarch64-static)
    for case in "corrupt.q8 inputs.bin:CRC-32 mismatch" "model.q8 short.bin:ends inside tensor 0" "missing.q8 inputs.bin:No such file"; do
      files=${case%%:*} want=${case#*:}
      rm -f "$data/bad-out.bin"
      # shellcheck disable=SC2086
      if err=$("${runner[@]}" "build/$target/minnow-infer" $(printf "$data/%s " $files) "$data/bad-out.bin" 2>&1); then
        echo "ACCEPTED: $target took ${files% *} ${files#* }"; failures=$((failures + 1))
      elif [[ "$err" != *"$want"* ]] || [ -e "$data/bad-out.bin" ]; then
        echo "UNCLEAR: $target on ${files}: $err"; failures=$((failures + 1))
      fi
    done
  done
  echo "bad input: corrupt model, truncated input and missing file refused with clear errors on both Linux targets"
  # A corpus of structure-aware mutations (valid CRC): each is refused with an error (exit 1) or
  # runs (exit 0); a crash (a signal, exit > 1) fails.
  rm -rf "$data/mutants" && ./corrupt-models.py "$data/model.q8" "$data/mutants" 200 "${MUTANT_SEED:-1}"
  for target in aarch64-linux x86_64-linux; do
    runner=() refused=0 ran=0
    [ "$target" = aarch64-linux ] && runner=(qemu-aarch64-static)
    for mutant in "$data"/mutants/*.q8; do
      status=0
      timeout 60 "${runner[@]}" "build/$target/minnow-infer" "$mutant" "$data/inputs.bin" "$data/mutant-out.bin" > /dev/null 2>&1 || status=$?
      case $status in
        0) ran=$((ran + 1)) ;;
        1) refused=$((refused + 1)) ;;
        *) echo "CRASHED: $target on $mutant (exit $status)"; failures=$((failures + 1)) ;;
      esac
    done
    echo "corrupt models on $target: 200 mutations with valid CRCs, $refused refused, $ran ran, no crash"
  done
fi
[ "$failures" -eq 0 ] || { echo "$failures same-bytes failures"; exit 1; }
