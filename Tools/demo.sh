#!/usr/bin/env bash
# The main job on shipped defaults: build Minnow, write the fm_dsconv architecture as a float
# model.bin, print its graph, and evaluate it in float on the 1,000 shipped Fashion-MNIST images.
# (The model is initialized, not trained, until the trainer lands: expect chance accuracy.)
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build -c release --product minnow
minnow=.build/release/minnow
mkdir -p out
$minnow train fm_dsconv --init-only --out out/fm_dsconv.bin
$minnow inspect out/fm_dsconv.bin
$minnow eval out/fm_dsconv.bin --dataset sample
