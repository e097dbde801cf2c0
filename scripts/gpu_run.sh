#!/usr/bin/env bash
# Trains the MNIST and coloured-MNIST models and the CIFAR-10 recipe with the
# torch backend on a machine with a CUDA GPU, then prints each run's
# throughput and, where a classifier ships for its data, its quality.
#
#   bash scripts/gpu_run.sh [--smoke] [OUT]
#
# OUT (default runs/gpu) gets one run folder per model and summary.txt.
# Without PYTHON set, it makes .venv-gpu with the pinned requirements, into
# which pip installs torch's CUDA build from the package index (the CPU
# wheel comes only from a local wheel folder). Each run resumes when its
# folder is there already, so the script can be started again after a stop.
#
# --smoke runs every step on a tiny budget on whatever device there is, to
# check the script itself on a CPU; CIFAR-10 then comes from a small random
# .npz, since the smoke test cannot download it.
set -euo pipefail
cd "$(dirname "$0")/.."

SMOKE=0
if [ "${1:-}" = "--smoke" ]; then SMOKE=1; shift; fi
OUT=${1:-runs/gpu}
mkdir -p "$OUT"

if [ -z "${PYTHON:-}" ]; then
    if [ ! -x .venv-gpu/bin/python ]; then
        python3 -m venv .venv-gpu
        .venv-gpu/bin/pip install -q -r requirements.txt -e .
    fi
    PYTHON=.venv-gpu/bin/python
fi
export KERAS_BACKEND=torch

if [ "$SMOKE" = 0 ]; then
    "$PYTHON" -c 'import sys, torch
if not torch.cuda.is_available():
    sys.exit("gpu_run.sh: torch sees no CUDA GPU (torch %s); use --smoke to check the script on a CPU" % torch.__version__)
print("gpu_run.sh: torch", torch.__version__, "on", torch.cuda.get_device_name(0))'
fi

# name, then the train options of each run. Full budgets: the WGAN-GP
# paper's MNIST script trains 200k generator iterations and its CIFAR-10
# one 100k; these stop earlier where the CPU studies' curves had flattened.
if [ "$SMOKE" = 1 ]; then
    CIFAR="$OUT/cifar_smoke.npz"
    "$PYTHON" -c "import numpy as np; rng = np.random.default_rng(0)
np.savez('$CIFAR', x=rng.integers(0, 256, (80, 32, 32, 3), dtype='uint8'),
         y=rng.integers(0, 10, 80))"
    BUDGET=(--epochs 1 --num-images 80 --batch-size 8 --width 4
            --samples 4 --verbose 2)
    CIFAR_RUN=(--dataset "$CIFAR" --architecture resnet --model wgan-gp)
    EVAL=(--samples 64)
else
    BUDGET=(--verbose 2)
    CIFAR_RUN=(--recipe cifar10-resnet --download)
    EVAL=()
fi
RUNS=(
    "mnist-wgan-gp|--width 64 --learning-rate 2e-4 --lr-decay linear --generator-ema 0.999 --epochs 100"
    "mnist-wgan|--model wgan --width 64 --learning-rate 5e-5 --epochs 100"
    "coloured-mnist-dcgan|--dataset coloured_mnist --architecture dcgan --width 64 --learning-rate 2e-4 --lr-decay linear --generator-ema 0.999 --epochs 60"
    "coloured-mnist-conditional|--dataset coloured_mnist_joint --architecture dcgan --conditional --width 64 --learning-rate 2e-4 --lr-decay linear --generator-ema 0.999 --epochs 60"
    "cifar10-resnet|"
)
EVALUATED="mnist-wgan-gp mnist-wgan coloured-mnist-dcgan coloured-mnist-conditional"

: > "$OUT/summary.txt"
for entry in "${RUNS[@]}"; do
    name=${entry%%|*}
    read -r -a options <<< "${entry#*|}"
    if [ "$name" = cifar10-resnet ]; then options=("${CIFAR_RUN[@]}"); fi
    folder="$OUT/$name"
    resume=()
    if [ -f "$folder/run.json" ]; then resume=(--resume); fi
    start=$(date +%s)
    if [ ${#resume[@]} -eq 0 ]; then
        "$PYTHON" -m keras_wgan train --out "$folder" "${options[@]}" "${BUDGET[@]}"
    else
        "$PYTHON" -m keras_wgan train --out "$folder" --resume --verbose 2
    fi
    seconds=$(( $(date +%s) - start ))
    line=$("$PYTHON" - "$folder" "$seconds" <<'EOF'
import csv, json, math, sys
folder, seconds = sys.argv[1], int(sys.argv[2])
run = json.load(open(f"{folder}/run.json"))
epochs = len(list(csv.DictReader(open(f"{folder}/metrics.csv"))))
steps = math.ceil(run["num_images"] / (run["batch_size"] * run["n_critic"]))
iterations = epochs * steps
print(f"{folder}: {iterations} generator iterations in {seconds} s "
      f"({seconds / max(iterations, 1):.3f} s per iteration)")
EOF
)
    echo "$line" | tee -a "$OUT/summary.txt"
    if [[ " $EVALUATED " == *" $name "* ]]; then
        "$PYTHON" -m keras_wgan evaluate --run "$folder" "${EVAL[@]}" \
            | tee -a "$OUT/summary.txt"
    fi
done
echo "gpu_run.sh: wrote $OUT/summary.txt"
