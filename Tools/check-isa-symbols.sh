#!/usr/bin/env bash
# The modules compiled with ISA flags (AVX2, FMA, AVX-VNNI, AVX-512) may emit weak helpers that
# other modules emit too (outlined copies of shared types, __swift_memcpyN_M, witnesses); the
# linker keeps one copy for all callers. If an ISA module's copy held VEX/EVEX code, a CPU
# without that ISA could trap outside any CPUID check. This checks every such copy after a
# release build (`swift build -c release` or `swift test -c release`).
set -euo pipefail
cd "$(dirname "$0")/.."
B=.build/x86_64-unknown-linux-gnu/release
[ -d "$B" ] || { echo "check-isa-symbols: no x86-64 release build, nothing to check"; exit 0; }
isa="KernelsAVX2 KernelsAVXVNNI KernelsAVX512VNNI FloatKernelsAVX2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for d in "$B"/*.build; do
  m=$(basename "$d" .build); case " $isa " in *" $m "*) continue;; esac
  ls "$d"/*.o >/dev/null 2>&1 || continue
  nm "$d"/*.o 2>/dev/null | awk '$2=="W"||$2=="T"{print $3}'
done | sort -u > "$tmp/other"
bad=0 shared=0
for m in $isa; do
  for o in "$B/$m.build"/*.o; do
    nm "$o" | awk '$2=="W"{print $3}' | sort -u | comm -12 - "$tmp/other" > "$tmp/shared"
    [ -s "$tmp/shared" ] || continue
    objdump -d --no-show-raw-insn "$o" > "$tmp/dis"
    while read -r sym; do
      shared=$((shared + 1))
      if awk -v s="<$sym>:" '$2==s{on=1;next} on&&/^$/{exit} on{print}' "$tmp/dis" | grep -qE 'ymm|zmm|%k[0-7]|\{'; then
        echo "check-isa-symbols: $m's copy of the shared $sym holds VEX/EVEX code"; bad=1
      fi
    done < "$tmp/shared"
  done
done
echo "check-isa-symbols: $shared shared helpers in ISA modules, $( [ $bad = 0 ] && echo none || echo some ) with VEX/EVEX code"
exit $bad
