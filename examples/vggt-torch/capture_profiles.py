"""Captures what the Python client's profiled iteration reports for the VGGT-1B model,
as JSON fixtures for the runner's CPU tests (attention and precision classification,
kernel diffs), in three variants: default attention under bf16 autocast, the math
attention kernel under bf16 autocast, and fp32 (no autocast). The weights are fp32 in
all three, as the published model keeps them ('vggt' numerics).

    python3 capture_profiles.py <out-dir> [frames=10]
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))

import torch  # noqa: E402

from model import build  # noqa: E402
from perf_gate import _profile, _torch  # noqa: E402

VARIANTS = {
    "vggt-bf16-default": (torch.bfloat16, "default"),
    "vggt-bf16-math": (torch.bfloat16, "math"),
    "vggt-fp32-default": (torch.float32, "default"),
}


def main():
    out, frames = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10
    os.makedirs(out, exist_ok=True)
    for name, (dtype, attention) in VARIANTS.items():
        model = build("cuda", dtype, attention=attention)
        images = torch.rand(frames, 3, model.cfg.height, model.cfg.width, device="cuda", dtype=model.input_dtype)

        def step(state):
            with torch.inference_mode(), state[0].autocast():
                state[0](state[1])

        for _ in range(2):  # warm-up, as the gate's sessions have had
            step((model, images))
        torch.cuda.synchronize()
        weights = _torch.dtype_name(next(model.parameters()).dtype)
        autocast = None if model.autocast_dtype is None else _torch.dtype_name(model.autocast_dtype)
        report = _profile.profile_iteration(step, (model, images), weights, autocast, True)
        report["capturedWith"] = {
            "torch": torch.__version__,
            "gpu": torch.cuda.get_device_name(0),
            "frames": frames,
            "attention": attention,
        }
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump(report, f, indent=1)
        top = report["kernels"][:3]
        print(name, "available", report["available"], report.get("reason"), "flops", report["flops"],
              "ops", {k: v for k, v in report["ops"].items() if "scaled_dot" in k}, "matmul", report["matmulDtypes"],
              "top", [(k["name"][:60], round(k["deviceUs"])) for k in top], flush=True)
        del model, images
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
