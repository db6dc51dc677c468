#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and AddressSanitizer and runs each for a bounded time:
# model.q8 (Q8Model + Interpreter on every kernel set) over seeds made from the shipped models
# (plain and packed) plus the committed regression inputs, then the .tflite reader over the
# shared .tflite models, then the ONNX importer over the shared and test-case ONNX models.
#
#   Tools/fuzz/run.sh [seconds]       (default 180 for model.q8, a third of it each for .tflite and ONNX;
#                                      MINNOW_FUZZ_SEED sets libFuzzer's -seed)
#
# Modules are compiled as SwiftPM compiles them (Runtime plain, KernelsAVX2 with -mavx2,
# KernelsAVX-VNNI with -mavxvnni, KernelsAVX512VNNI with AVX-512 F, BW, DQ, VL and VNNI, Kernels choosing by CPUID),
# each with coverage and ASan.
# A crash leaves its input in .build-fuzz/crashes/: copy it to Tools/fuzz/regressions/, where
# RuntimeTests replays it. Exits non-zero on any crash, leak or ASan report.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-180}
B=.build-fuzz
mkdir -p $B/obj $B/corpus $B/crashes
export SWIFT_BACKTRACE=enable=no
SAN="-sanitize=fuzzer,address -parse-as-library -O -wmo -I $B/obj -I Sources/CPUFeatures/include"
module() {  # name, extra flags, sources...
  local name=$1 flags=$2; shift 2
  swiftc $SAN $flags -module-name "$name" -emit-module -emit-module-path $B/obj/$name.swiftmodule -c "$@" -o $B/obj/$name.o
}
clang -O1 -fsanitize=fuzzer-no-link,address -I Sources/CPUFeatures/include -c Sources/CPUFeatures/cpu_features.c -o $B/obj/cpu_features.o
cat > $B/obj/module.modulemap <<MAP
module CPUFeatures { header "$(pwd)/Sources/CPUFeatures/include/cpu_features.h" export * }
module CAVX512VNNI { header "$(pwd)/Sources/CAVX512VNNI/include/avx512vnni_dot.h" export * }
MAP
module Runtime "" $(find Sources/Runtime -name '*.swift' | sort)
module KernelsAVX2 "-Xcc -mavx2" Sources/KernelsAVX2/*.swift
module KernelsAVXVNNI "-Xcc -mavx2 -Xcc -mavxvnni" Sources/KernelsAVXVNNI/*.swift
module KernelsAVX512VNNI "-Xcc -mavx2 -Xcc -mavx512f -Xcc -mavx512bw -Xcc -mavx512dq -Xcc -mavx512vl -Xcc -mavx512vnni" Sources/KernelsAVX512VNNI/*.swift
module KernelsNEONDot "" Sources/KernelsNEONDot/*.swift
module Kernels "" Sources/Kernels/*.swift
module TFLiteFile "" Sources/TFLiteFile/*.swift
swiftc $SAN -module-name FuzzQ8 Tools/fuzz/FuzzQ8.swift $B/obj/{Runtime,KernelsAVX2,KernelsAVXVNNI,KernelsAVX512VNNI,KernelsNEONDot,Kernels,cpu_features}.o -o $B/fuzz-q8 2>$B/link.log
swiftc $SAN -module-name FuzzTFLite Tools/fuzz/FuzzTFLite.swift $B/obj/TFLiteFile.o -o $B/fuzz-tflite 2>>$B/link.log

# Seeds: every shipped model quantized quickly (what matters is the structure, not accuracy),
# plain and with packed conv filters.
swift build -c release --product minnow >/dev/null
for m in Models/*/model.bin; do
  name=$(basename "$(dirname "$m")")
  for packed in "" --pack-weights; do
    out=$B/corpus/$name${packed:+-packed}.q8
    [ -s "$out" ] || .build/release/minnow quantize "$m" -o "$out" --samples 32 --no-adaptive-rounding \
      --no-search-ranges --no-equalize-activations --no-bias-correction $packed >/dev/null
  done
done
# The one-op TFLM cases imported (MUL and RESIZE_BILINEAR, which no shipped model has).
for t in Tests/ImportTests/TFLMCases/*/model.tflite; do
  out=$B/corpus/tflm-$(basename "$(dirname "$t")").q8
  [ -s "$out" ] || .build/release/minnow import "$t" -o "$out" >/dev/null
done
find Tools/fuzz/regressions -type f ! -name "*.md" -exec cp {} $B/corpus/ \;

# The regressions first (each must pass), then the timed run.
regressions=$(find Tools/fuzz/regressions -type f ! -name "*.md")
if [ -n "$regressions" ]; then $B/fuzz-q8 $regressions; fi
$B/fuzz-q8 $B/corpus -max_total_time="$SECONDS_TO_RUN" -max_len=1048576 -rss_limit_mb=4096 -timeout=30 \
  -artifact_prefix=$B/crashes/ -print_final_stats=1 ${MINNOW_FUZZ_SEED:+-seed=$MINNOW_FUZZ_SEED} 2>&1 | tee $B/fuzz.log | grep -E "^#[0-9]+.*(pulse|DONE)|stat::|ERROR|SUMMARY" || true
grep -q "ERROR: \|SUMMARY: \|deadly signal" $B/fuzz.log && { echo "fuzz: model.q8 crash, input in $B/crashes/"; exit 1; }
echo "fuzz: model.q8, no crash in ${SECONDS_TO_RUN} s"

# A reader's target over its seed folder for a third of the time: name, what it fuzzes, largest input.
fuzz_seeds() {
  $B/fuzz-$1 $B/corpus-$1 -max_total_time=$((SECONDS_TO_RUN / 3)) -max_len=$3 -rss_limit_mb=4096 -timeout=30 \
    -artifact_prefix=$B/crashes/$1- -print_final_stats=1 ${MINNOW_FUZZ_SEED:+-seed=$MINNOW_FUZZ_SEED} 2>&1 | tee $B/fuzz-$1.log | grep -E "^#[0-9]+.*DONE|stat::number_of_executed|ERROR|SUMMARY" || true
  grep -q "ERROR: \|SUMMARY: \|deadly signal" $B/fuzz-$1.log && { echo "fuzz: $2 crash, input in $B/crashes/"; exit 1; }
  echo "fuzz: $2, no crash in $((SECONDS_TO_RUN / 3)) s"
}

mkdir -p $B/corpus-tflite
for f in ../shared/outside/*/model.tflite ../shared/outside/unsupported/*.tflite; do
  [ -f "$f" ] && cp "$f" "$B/corpus-tflite/$(echo "$f" | tr / _)"
done
fuzz_seeds tflite ".tflite reader" 65536

# The ONNX importer, with the SwiftProtobuf runtime the package build checked out.
PB=.build/checkouts/swift-protobuf/Sources/SwiftProtobuf
module SwiftProtobuf "-swift-version 6 -package-name swift_protobuf -enable-upcoming-feature ExistentialAny -suppress-warnings" $(find $PB -name '*.swift' | sort)
module ONNXFile "-suppress-warnings" Sources/ONNXFile/*.swift
module AtomicWrite "" Sources/AtomicWrite/*.swift
module FloatKernelsAVX2 "-Xcc -mavx2 -Xcc -mfma" Sources/FloatKernelsAVX2/*.swift
module Graph "" $(find Sources/Graph -name '*.swift' | sort)
module FloatImport "" Sources/FloatImport/*.swift
swiftc $SAN -module-name FuzzONNX Tools/fuzz/FuzzONNX.swift $B/obj/{SwiftProtobuf,ONNXFile,AtomicWrite,FloatKernelsAVX2,Graph,FloatImport,TFLiteFile,Runtime,cpu_features}.o \
  -o $B/fuzz-onnx 2>>$B/link.log
mkdir -p $B/corpus-onnx
for f in ../shared/outside-float/*/model.onnx Tests/ImportTests/ONNXCases/*/model.onnx; do
  [ -f "$f" ] && cp "$f" "$B/corpus-onnx/$(echo "$f" | tr / _)"
done
fuzz_seeds onnx "ONNX importer" 524288
