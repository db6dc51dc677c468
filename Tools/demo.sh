#!/usr/bin/env bash
# The main job on shipped defaults: quantize the shipped trained fm_dsconv model to int8
# (calibrating on the shipped Fashion-MNIST sample), compare float and int8 accuracy on that
# sample, classify the sample PNGs with the int8 model, and print its arena size and speed; then
# import a real .tflite model (../shared/outside) and check its output against TFLM's.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build -c release --product minnow
minnow=.build/release/minnow
mkdir -p out
$minnow quantize Models/fm_dsconv/model.bin -o out/fm_dsconv.q8
$minnow eval Models/fm_dsconv/model.bin out/fm_dsconv.q8 --dataset sample
$minnow run out/fm_dsconv.q8 Models/samples/*.png --top 3
$minnow inspect out/fm_dsconv.q8 | tail -2
$minnow bench out/fm_dsconv.q8 --runs 200 | tail -1
# A real model nobody here trained: TensorFlow Lite Micro's person_detect example, imported and
# run on the raw input TFLM was given; its output must be TFLM's byte for byte.
shared=../shared/outside/person_detect
if [ -f "$shared/model.tflite" ]; then
  $minnow import "$shared/model.tflite" -o out/person_detect.q8
  $minnow run out/person_detect.q8 --raw-input "$shared/input_0.bin" --raw-output out/person_detect-output.bin
  cmp out/person_detect-output.bin "$shared/output_0.bin" && echo "person_detect: output identical to TensorFlow Lite Micro's"
fi
