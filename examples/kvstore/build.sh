#!/bin/sh
# Rebuilds kvstore.wasm from kvstore.c (needs clang + lld with the wasm32 target:
#   apt-get install -y clang lld).
set -eu
cd "$(dirname "$0")"
clang --target=wasm32 -Os -nostdlib -ffreestanding -fno-builtin \
  -Wall -Wextra \
  -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=65536 \
  -o kvstore.wasm kvstore.c
