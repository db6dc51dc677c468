#!/usr/bin/env bash
# The size table of Firmware/README.md, measured from the builds: for each model named, the
# Cortex-M4 image's flash without the model, model bytes, arena, the runtime's own static RAM and
# the stack high-water mark (from a run under qemu-system-arm); then the Linux executables.
# Called by `make sizes`, which builds what it needs first.
set -euo pipefail
cd "$(dirname "$0")"
section() { arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s || index($1, s ".") == 1 { t += $2 } END { print t + 0 }'; }
sum() { local total=0; for s in "${@:2}"; do total=$((total + $(section "$1" "$s"))); done; echo $total; }
printf "%-12s %12s %12s %12s %12s %12s %12s\n" model "flash (code)" "model bytes" "arena" "runtime RAM" "stack peak" "RAM total"
for model in "$@"; do
  elf=build/cortex-m4/$model.elf data=build/models/$model
  flash=$(( $(sum "$elf" .vectors .text .rodata .ARM.exidx .data) - $(sum "build/cortex-m4/$model-data.o" .rodata .data) ))
  modelBytes=$(stat -c %s "$data/model.q8")
  arena=$(grep -o 'minnow_arena\[[0-9]*\]' "$data/model_data.c" | tr -dc 0-9)
  state=$(sum build/cortex-m4/minnow.o .data .bss)
  [ -s "$data/cortex-m4.txt" ] || timeout 600 qemu-system-arm -M mps2-an386 -nographic -monitor none \
    -semihosting-config enable=on,target=native -kernel "$elf" > "$data/cortex-m4.txt"
  stack=$(grep 'stack high-water' "$data/cortex-m4.txt" | tr -dc 0-9)
  printf "%-12s %12d %12d %12d %12d %12d %12d\n" "$model" "$flash" "$modelBytes" "$arena" "$state" "$stack" $((arena + state + stack))
done
echo
for target in aarch64-linux x86_64-linux; do
  bin=build/$target/minnow-infer
  stripped=$(mktemp)
  cp "$bin" "$stripped"
  if [ "$target" = aarch64-linux ]; then aarch64-linux-gnu-strip "$stripped"; else strip "$stripped"; fi
  code=0
  for object in build/$target/minnow.o build/$target/Runtime.o build/$target/KernelsNEONDot.o; do
    [ -e "$object" ] && code=$((code + $(size -A "$object" | awk '$1 == ".text" || index($1, ".text.") == 1 { t += $2 } END { print t + 0 }')))
  done
  printf "%-14s minnow-infer: %9d bytes (%d stripped), runtime objects %d bytes of code\n" "$target" "$(stat -c %s "$bin")" \
    "$(stat -c %s "$stripped")" "$code"
  rm -f "$stripped"
done
