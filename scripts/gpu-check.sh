#!/usr/bin/env bash
# The WebGPU check on a real GPU machine (issue 13), in two halves:
#   scripts/gpu-check.sh pack                 here: fills .gpu-carry/ (ignored) with what a bare GPU machine lacks:
#                                             node (xz), a trimmed node_modules (tar.xz), Debian's libvulkan1 .deb
#   scripts/gpu-check.sh run [--quick] [--no-times] [--train-steps N] [--reps N]
#                                             there: unpacks .gpu-carry/, points Vulkan at the NVIDIA driver, runs
#                                             bench/gpu.ts (adapter, parity, times against wasm) and N U-Net training
#                                             steps at the paper profile's widths and batch (steps/s, projected time
#                                             per model). Results in $OUT (or ./gpu-check-out): log and JSON.
# Rehearsal on lavapipe (CPU), from a copy of the tree with .gpu-carry/ and no node_modules:
#   GPU_CHECK_CARRIED=1 scripts/gpu-check.sh run --quick --no-times --train-steps 2
set -euo pipefail
cd "$(dirname "$0")/.."
carry=.gpu-carry
mode="${1:-}"
shift || true

# Runtime packages of bench/gpu.ts (and what they import), nothing else: the tree that travels is 64 MiB at most.
PACKAGES=(@tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu
  webgpu tsx esbuild @esbuild/linux-x64 seedrandom long node-fetch whatwg-url tr46 webidl-conversions)

pack() {
  rm -rf "$carry" && mkdir -p "$carry/stage/node_modules"
  local exclude; exclude="$(git rev-parse --git-path info/exclude)"
  mkdir -p "$(dirname "$exclude")"
  grep -qxF "/$carry/" "$exclude" 2>/dev/null || echo "/$carry/" >>"$exclude"
  for p in "${PACKAGES[@]}"; do
    [ -d "node_modules/$p" ] || { echo "gpu-check pack: node_modules/$p missing: run npm ci first" >&2; exit 1; }
    mkdir -p "$carry/stage/node_modules/$(dirname "$p")"
    cp -a "node_modules/$p" "$carry/stage/node_modules/$p"
  done
  local nm="$carry/stage/node_modules"
  # Only Linux x64's Dawn; no source maps, declarations, browser bundles or sources.
  find "$nm/webgpu/dist" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
  find "$nm" \( -name '*.map' -o -name '*.d.ts' -o -name '*.min.js' -o -name '*.es2017.js' -o -name '*.esm.js' -o -name '*.fesm.js' \) -delete
  find "$nm/@tensorflow" -mindepth 2 -maxdepth 2 \( -name src -o -name scripts \) -exec rm -rf {} +
  find "$nm/@tensorflow" -path '*/dist/*' -type d \( -name miniprogram -o -name tests \) -exec rm -rf {} + 2>/dev/null || true
  # tfjs's ES-module tree (dist/**.js besides the node bundle) is what `module` names; Node reads `main`.
  for t in "$nm"/@tensorflow/*; do
    main="$(node -p "require('./$t/package.json').main")"
    find "$t/dist" -mindepth 1 \( -type f ! -path "$t/$main" ! -name '*.wasm' \) -delete
    find "$t/dist" -mindepth 1 -type d -empty -delete
  done
  tar -C "$carry/stage" -cJf "$carry/node_modules.tar.xz" node_modules
  rm -rf "$carry/stage"
  xz -T0 -6 -c "$(readlink -f "$(command -v node)")" >"$carry/node.xz"
  (cd "$carry" && apt-get download libvulkan1 >/dev/null 2>&1) || echo "gpu-check pack: could not download libvulkan1 (the GPU machine must have it)" >&2
  du -ch "$carry"/* | tail -n 1
  echo "carry: [\"$carry\"]"
}

run() {
  local quick=() train=50 reps=1
  while [ $# -gt 0 ]; do
    case "$1" in
      --quick) quick+=(--quick) ;;
      --no-times) quick+=(--no-times) ;;
      --train-steps) train="$2"; shift ;;
      --reps) reps="$2"; shift ;;
      *) echo "gpu-check run: unknown option '$1' (allowed: --quick, --no-times, --train-steps N, --reps N)" >&2; exit 2 ;;
    esac
    shift
  done
  local out="${OUT:-$PWD/gpu-check-out}"
  mkdir -p "$out"
  local tmp; tmp="$(mktemp -d)"
  # node: the machine's own when it is recent enough, else the carried one.
  # GPU_CHECK_CARRIED=1 uses every carried piece even where the machine has its own (the rehearsal here).
  local forced="${GPU_CHECK_CARRIED:-}"
  if [ -n "$forced" ] || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
    [ -f "$carry/node.xz" ] || { echo "gpu-check: no node ≥ 20.19 and no $carry/node.xz (run 'scripts/gpu-check.sh pack' first)" >&2; exit 1; }
    mkdir -p "$tmp/bin" && xz -dc "$carry/node.xz" >"$tmp/bin/node" && chmod +x "$tmp/bin/node"
    export PATH="$tmp/bin:$PATH"
  fi
  if [ -n "$forced" ] || [ ! -d node_modules/webgpu ]; then
    [ -f "$carry/node_modules.tar.xz" ] || { echo "gpu-check: no node_modules and no $carry/node_modules.tar.xz" >&2; exit 1; }
    tar -xJf "$carry/node_modules.tar.xz"
  fi
  # The Vulkan loader, unpacked beside us rather than into /, when the machine has none.
  if [ -n "$forced" ] || ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
    local deb; deb="$(ls "$carry"/libvulkan1_*.deb 2>/dev/null | head -n 1)"
    [ -n "$deb" ] || { echo "gpu-check: no libvulkan.so.1 and no carried libvulkan1 .deb" >&2; exit 1; }
    dpkg -x "$deb" "$tmp/vk"
    export LD_LIBRARY_PATH="$tmp/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
  # The NVIDIA driver's Vulkan manifest, where the drivers' packages and containers put it.
  for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; fi
  done
  echo "node $(command -v node) $(node --version); Vulkan loader: ${LD_LIBRARY_PATH:-the system's}; driver manifest: ${VK_DRIVER_FILES:-the loader's default search}"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  set -o pipefail
  node --import tsx bench/gpu.ts "${quick[@]}" --reps "$reps" --train-steps "$train" --json "$out/gpu-check.json" 2>&1 \
    | grep -v 'artificially reduced' | tee "$out/gpu-check.log"
}

case "$mode" in
  pack) pack ;;
  run) run "$@" ;;
  *) echo "usage: scripts/gpu-check.sh pack | run [--quick] [--train-steps N] [--reps N]" >&2; exit 2 ;;
esac
