#!/usr/bin/env bash
# The WebGPU speed check for a Linux x86-64 machine with an NVIDIA GPU and no network, run from a copy of the
# repository (tracked files) plus the carry folder bench/gpu-check-pack.sh builds (.gpu-carry/: the compiled CLI,
# the node_modules it loads, the Vulkan loader, Node, the PyTorch twin). It needs nothing else from the machine but
# its NVIDIA driver (and, for the PyTorch figures, a python3 with CUDA torch).
#   bench/gpu-check.sh                      # from the repository root; ends within GPU_CHECK_SECONDS (default 450)
# 1. unpacks the carry folder into GPU_CHECK_WORK (default /tmp/mslk-gpu-check), links the carried libraries the
#    machine lacks into its library path, points Vulkan at NVIDIA's driver (VK_DRIVER_FILES=/usr/local/nvidia/share/
#    vulkan/icd.d/nvidia_icd.json where present, else the system's; an ICD already named in VK_DRIVER_FILES or
#    VK_ICD_FILENAMES wins);
# 2. `mslk doctor --backend webgpu`;
# 3. `mslk models profile <model> --backend webgpu --size 256 --batch 8 --set baseWidth=<w> --json` for U-Net and
#    MS-LKSeg at base widths 16 and 32 (training step up to the loss read back, images/s, GPU memory, latency);
# 4. the PyTorch twin on the same GPU: twin/bench.py --device cuda --sizes 256 --batch 8 --base-width <w>;
# 5. a table with the ratios mslk webgpu / PyTorch CUDA and the speed-up over mslk's recorded CPU-path figures
#    (bench/cpu-path-figures.json).
# Everything printed goes to gpu-check.log; the table to table.md, every figure to results.json: in $OUT when set
# (the device machine's return folder), else in GPU_CHECK_WORK. Each part runs under a timeout cut from what is
# left of GPU_CHECK_SECONDS, so the check ends in time even when a part hangs.
#
# Knobs (environment): GPU_CHECK_SIZE (256), GPU_CHECK_BATCH (8), GPU_CHECK_WIDTHS ("16 32"), GPU_CHECK_MODELS
# ("unet ms-lkseg"), GPU_CHECK_TRAIN_STEPS (10), GPU_CHECK_LATENCY_RUNS (30), GPU_CHECK_SECONDS (450),
# GPU_CHECK_TORCH (auto: CUDA when torch sees it, else skipped | cuda | cpu: the twin on the CPU, for trying the check
# without a GPU | skip), GPU_CHECK_PYTHON (python3), GPU_CARRY (.gpu-carry), GPU_CHECK_WORK, GPU_CHECK_CARRIED_LIBS
# (missing: only what the machine lacks | all: every carried library, to test them).
# Without a GPU (SwiftShader, slow): VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json GPU_CHECK_SIZE=32
#   GPU_CHECK_WIDTHS=4 GPU_CHECK_BATCH=2 GPU_CHECK_TRAIN_STEPS=2 GPU_CHECK_LATENCY_RUNS=2 GPU_CHECK_TORCH=cpu bench/gpu-check.sh
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CARRY=${GPU_CARRY:-$ROOT/.gpu-carry}
WORK=${GPU_CHECK_WORK:-/tmp/mslk-gpu-check}
SIZE=${GPU_CHECK_SIZE:-256}
BATCH=${GPU_CHECK_BATCH:-8}
WIDTHS=${GPU_CHECK_WIDTHS:-16 32}
MODELS=${GPU_CHECK_MODELS:-unet ms-lkseg}
TRAIN_STEPS=${GPU_CHECK_TRAIN_STEPS:-10}
LATENCY_RUNS=${GPU_CHECK_LATENCY_RUNS:-30}
TOTAL=${GPU_CHECK_SECONDS:-450}
TORCH=${GPU_CHECK_TORCH:-auto}
PYTHON=${GPU_CHECK_PYTHON:-python3}
REPORT=${OUT:-$WORK}
START=$SECONDS

left() { echo $((TOTAL - (SECONDS - START))); }
say() { printf '\n== %s (%d s left)\n' "$*" "$(left)"; }

unpack() {
  [ -f "$CARRY/runtime.tar.xz" ] || { echo "no $CARRY/runtime.tar.xz: run bench/gpu-check-pack.sh first and carry .gpu-carry"; return 1; }
  cat "$CARRY/PACKED.txt" 2>/dev/null
  rm -rf "$WORK/app" "$WORK/lib" "$WORK/node" "$WORK/twin" "$WORK/ldpath" "$WORK/results"
  mkdir -p "$WORK/results" "$WORK/ldpath"
  if command -v xz >/dev/null; then
    xz -dc "$CARRY/runtime.tar.xz" | tar -C "$WORK" -xf - || return 1
  else
    "$PYTHON" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$CARRY/runtime.tar.xz" "$WORK" || return 1
  fi
  # The repository copy's configs, data and sources (the build stamp is compared with src/).
  cp -r "$ROOT/configs" "$ROOT/data" "$ROOT/src" "$WORK/app/"
}

choose_node() {
  if [ -x "$WORK/node/bin/node" ]; then
    NODE=$WORK/node/bin/node
  elif command -v node >/dev/null && node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 21 || (a === 20 && b >= 11) ? 0 : 1)'; then
    NODE=$(command -v node)
  else
    echo "no Node >= 20.11 here and none carried (pack without --no-node)"; return 1
  fi
  echo "node: $NODE $("$NODE" --version)"
}

setup_gpu() {
  local have f soname
  have=$( (ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null) | awk '{print $1}')
  for f in "$WORK"/lib/lib*.so.[0-9]*; do
    soname=$(basename "$f")
    [[ $soname =~ ^lib.*\.so\.[0-9]+$ ]] || continue
    if [ "${GPU_CHECK_CARRIED_LIBS:-missing}" = all ] || ! grep -qx "$soname" <<<"$have"; then
      ln -sf "$f" "$WORK/ldpath/$soname"
    fi
  done
  echo "carried libraries used (the machine lacks them): $(ls "$WORK/ldpath" | tr '\n' ' ')"
  local path=$WORK/ldpath d
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && path=$path:$d; done
  export LD_LIBRARY_PATH=$path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
    for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
      /usr/local/nvidia/share/vulkan/icd.d/*.json; do
      if [ -f "$f" ]; then export VK_DRIVER_FILES=$f; break; fi
    done
  fi
  f=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ -f "$f" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$f
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-} __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-}"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  for f in ${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-}}; do [ -f "$f" ] && echo "$f: $(tr -d '\n ' <"$f")"; done
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv,noheader
  echo "uname: $(uname -srm); cores: $(nproc)"
}

# run <seconds> <kind> <model|-> <width> <command...>: one timed part, its exit status and time in runs.tsv.
run() {
  local seconds=$1 kind=$2 model=$3 width=$4 t0=$SECONDS status
  shift 4
  timeout --kill-after=5 "$seconds" "$@"
  status=$?
  printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$model" "$width" "$status" $((SECONDS - t0)) >>"$WORK/results/runs.tsv"
  [ "$status" = 124 ] && echo "(stopped at its $seconds s limit)"
  return "$status"
}

main() {
  say "unpacking $CARRY into $WORK"
  unpack || return 1
  choose_node || return 1
  setup_gpu
  local app=$WORK/app mslk_ok=1 widths=($WIDTHS) models=($MODELS) w
  unset MSLK_BACKEND

  say "mslk doctor --backend webgpu"
  run $(( $(left) < 90 ? $(left) : 90 )) doctor - - "$NODE" "$app/bin/run.js" doctor --backend webgpu || mslk_ok=0
  [ "$mslk_ok" = 1 ] || echo "webgpu is unavailable (above): mslk's steps are not timed"

  # PyTorch: CUDA when torch sees a device (auto), else skipped; its share of the time is set aside first.
  local device=$TORCH
  if [ "$TORCH" = auto ] || [ "$TORCH" = cuda ]; then
    if "$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 3)' 2>/dev/null; then device=cuda
    else echo "PyTorch: $PYTHON has no torch with a CUDA device: its figures are skipped"; device=skip; fi
  fi
  [ "$TORCH" = skip ] && echo "PyTorch: skipped (GPU_CHECK_TORCH=skip)"
  if [ "$device" = skip ]; then for w in "${widths[@]}"; do printf 'torch\t-\t%s\tskipped\t0\n' "$w" >>"$WORK/results/runs.tsv"; done; fi
  local n=$(( ${#widths[@]} * ${#models[@]} )) torch_share=0
  [ "$device" != skip ] && torch_share=$(( ${#widths[@]} * 55 ))
  local mslk_end=$(( SECONDS + $(left) - torch_share - 10 ))

  if [ "$mslk_ok" = 1 ]; then
    local w m k=0
    for w in "${widths[@]}"; do
      for m in "${models[@]}"; do
        local limit=$(( (mslk_end - SECONDS) / (n - k) ))
        k=$((k + 1))
        say "mslk models profile $m --backend webgpu --size $SIZE --batch $BATCH --set baseWidth=$w (limit $limit s)"
        if [ "$limit" -lt 10 ]; then echo "no time left"; printf 'mslk\t%s\t%s\tno-time\t0\n' "$m" "$w" >>"$WORK/results/runs.tsv"; continue; fi
        # --budget: seconds per timing (latency keeps >= its runs, training >= 2 steps); about a sixth of the limit.
        run "$limit" mslk "$m" "$w" "$NODE" "$app/bin/run.js" models profile "$m" --backend webgpu --size "$SIZE" --batch "$BATCH" \
          --set "baseWidth=$w" --train-steps "$TRAIN_STEPS" --latency-runs "$LATENCY_RUNS" --budget $(( limit / 6 > 2 ? limit / 6 : 2 )) \
          --json >"$WORK/results/mslk-$m-bw$w.json"
        "$NODE" -e 'const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const s = p.unfused.trainStep;
          const gpu = p.peakGpuBytes ? `, GPU memory ${(p.peakGpuBytes / 2 ** 20).toFixed(0)} MiB` : "";
          console.log(s ? `=> ${s.medianMs.toFixed(1)} ms/step, ${p.unfused.trainImagesPerSecond.toFixed(1)} images/s${gpu}` : `=> no training step: ${p.unfused.trainError}`)' \
          "$WORK/results/mslk-$m-bw$w.json" 2>/dev/null || echo "=> no profile"
      done
    done
  fi

  if [ "$device" != skip ]; then
    local w k=0
    for w in "${widths[@]}"; do
      local limit=$(( ($(left) - 10) / (${#widths[@]} - k) ))
      k=$((k + 1))
      say "PyTorch twin on $device, base width $w (limit $limit s)"
      if [ "$limit" -lt 10 ]; then echo "no time left"; printf 'torch\t-\t%s\tno-time\t0\n' "$w" >>"$WORK/results/runs.tsv"; continue; fi
      local where=(--device cuda)
      [ "$device" = cpu ] && where=(--device cpu --threads "$(nproc)")
      (cd "$WORK/twin" && PYTHONUNBUFFERED=1 run "$limit" torch - "$w" "$PYTHON" bench.py "${where[@]}" --sizes "$SIZE" --batch "$BATCH" \
        --base-width "$w" --models $MODELS --min-steps 5 --max-steps 30 --budget 3 --json "$WORK/results/torch-bw$w.json" | grep -v '^{"info"')
    done
  fi

  say "table"
  "$NODE" "$app/bench/gpu-check-table.js" "$WORK/results" "$ROOT/bench/cpu-path-figures.json"
  if [ "$REPORT" != "$WORK" ]; then cp "$WORK/results/table.md" "$WORK/results/results.json" "$REPORT/"; fi
  echo
  echo "done in $((SECONDS - START)) s; log, table.md and results.json in $REPORT"
}

mkdir -p "$WORK" "$REPORT"
main 2>&1 | tee "$REPORT/gpu-check.log"
exit "${PIPESTATUS[0]}"
