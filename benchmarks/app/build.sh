#!/bin/sh
# Rebuilds registry.wasm from registry.c + records.h (needs clang + lld with the wasm32 target:
#   apt-get install -y clang lld). -Oz, as Calimero's app-release profile.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32 -Oz -nostdlib -ffreestanding \
  -Wall -Wextra \
  -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=65536 \
  -o registry.wasm registry.c
