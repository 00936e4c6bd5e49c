#!/bin/sh
# Starts train_worker.py data-parallel under torchrun: PERF_GATE_NPROC ranks (default 2),
# one per GPU. --standalone picks a free rendezvous port, so base and head (both alive
# during a gate run) never collide. PERF_GATE_HEAD_NPROC sets the head's rank count only,
# for measuring scaling from one commit (base 1 GPU vs head 2 GPUs); never in a real gate.
n=${PERF_GATE_NPROC:-2}
if [ "$PERF_GATE_SIDE" = head ] && [ -n "$PERF_GATE_HEAD_NPROC" ]; then n=$PERF_GATE_HEAD_NPROC; fi
cd "$(dirname "$0")" || exit 2
exec python3 -m torch.distributed.run --standalone --nproc-per-node "$n" train_worker.py
