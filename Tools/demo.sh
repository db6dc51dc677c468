#!/usr/bin/env bash
# The main job on shipped defaults: quantize the shipped trained fm_dsconv model to int8
# (calibrating on the shipped Fashion-MNIST sample), compare float and int8 accuracy on that
# sample, classify the sample PNGs with the int8 model, and print its arena size and speed.
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
