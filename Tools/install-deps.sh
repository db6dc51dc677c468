#!/usr/bin/env bash
# Installs the Debian packages Minnow needs, if any are missing. Safe to run again.
#   libpng-dev, zlib1g-dev    PNG and gzip for the Data module (found with pkg-config)
#   dataset-fashion-mnist     the real dataset, under /usr/share/datasets/fashion-mnist
# With --firmware, also the firmware builds' cross toolchains and emulators:
#   make, gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user-static
#                             the static AArch64 (and x86-64) Linux executables, run under QEMU
#   gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm
#                             the Cortex-M4 image, run on an emulated MPS2 AN386
set -euo pipefail
packages=(libpng-dev zlib1g-dev pkg-config dataset-fashion-mnist)
if [ "${1:-}" = --firmware ]; then
  packages+=(binutils make gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
             gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
