"""Checks of model.py that need torch but no GPU (a CPU build of torch is enough):

  - a tiny configuration (2 + 4 + 4 blocks, dim 64, 2 frames of 56 x 70) builds with the
    parameter count vggt_config computes, and its outputs have the published shapes;
  - under CPU autocast to bf16 ('vggt' numerics) the aggregator's matrix products and
    convolutions run in bf16 and the heads' in fp32, while the weights stay fp32;
    'uniform' numerics run everything in the one dtype;
  - the rotary table's length read once per shape ('once', a diagnosis switch) gives the
    same outputs as the published read in every call;
  - attention='math' reaches PyTorch's math SDPA kernel, and the slowdown knob adds one
    extra product per dim-1024 block, of the width vggt_config.slowdown_width gives;
  - the full-size model builds on the meta device with 1,190,596,120 parameters and
    runs there (shapes only) for 10 frames, which exercises the DPT heads' chunking;
  - a training step (build_for_training, autocast, backward) reaches every parameter;
  - worker.py, driven through the Python client's session as the runner would drive
    it, reports fp32 weights, the autocast dtype, and bf16 as the dtype that ran; its
    profile of the model as published (parameters requiring grad, on which torch's FLOP
    counter raises) loses only the FLOP count, and with requires_grad_(False) has every part.

    python3 check_cpu.py     # prints what it checked; exits 1 on the first failure
"""

import functools
import os
import sys

import torch
from torch.utils._python_dispatch import TorchDispatchMode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))

import model as vggt  # noqa: E402
from vggt_config import Config, parameter_count, slowdown_width  # noqa: E402

TINY = Config(
    height=56, width=70, dim=64, heads=4, encoder_depth=2, aggregator_depth=4, camera_trunk_depth=2, camera_heads=4,
    dpt_layers=(0, 1, 2, 3), dpt_features=32, dpt_channels=(16, 32, 64, 64), dpt_out_hidden=8, dpt_frames_chunk=8,
)
PRODUCTS = {"mm", "addmm", "bmm", "baddbmm", "convolution"}
REGIONS = ("aggregator", "camera_head", "depth_head", "point_head")


class Recorder(TorchDispatchMode):
    """Records, per model region, the input dtypes of matrix products and convolutions
    and the attention operators dispatched (below autocast: what actually ran)."""

    def __init__(self, model):
        super().__init__()
        self.region, self.products, self.attention, self.shapes, self.bmm = None, {}, set(), [], 0
        for name in REGIONS:
            module = getattr(model, name)
            module.register_forward_pre_hook(functools.partial(self._enter, name))
            module.register_forward_hook(functools.partial(self._leave, name))

    def _enter(self, name, *_):
        self.region = name

    def _leave(self, name, *_):
        self.region = None

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if name in PRODUCTS:
            dtypes = {a.dtype for a in args if torch.is_tensor(a) and a.is_floating_point()}
            self.products.setdefault(self.region, set()).update(str(d).replace("torch.", "") for d in dtypes)
            self.shapes.append(name)
            self.bmm += name == "bmm"
        if "scaled_dot_product" in name:
            self.attention.add(name)
        return func(*args, **(kwargs or {}))


def run(model, frames=2, batch=None, record=True):
    shape = (frames, 3, model.cfg.height, model.cfg.width) if batch is None else (batch, frames, 3, model.cfg.height, model.cfg.width)
    images = torch.rand(*shape, dtype=model.input_dtype, device=model.aggregator.mean.device)
    if not record:
        with torch.inference_mode(), model.autocast():
            return model(images), None
    # Recorded under no_grad: under inference_mode a dispatch mode sees composite operators
    # (linear, scaled_dot_product_attention) before they reach the kernels that run.
    recorder = Recorder(model)
    with torch.no_grad(), model.autocast(), recorder:
        out = model(images)
    return out, recorder


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAILED: {message}")
    print(f"ok: {message}")


def expect_shapes(out, b, s, h, w):
    want = {
        "pose_enc": (b, s, 9), "depth": (b, s, h, w, 1), "depth_conf": (b, s, h, w),
        "world_points": (b, s, h, w, 3), "world_points_conf": (b, s, h, w),
    }
    got = {k: tuple(out[k].shape) for k in want}
    check(got == want, f"output shapes {got}")


def main():
    print(f"torch {torch.__version__}")
    # 1. tiny, published numerics under CPU autocast
    model = vggt.build("cpu", torch.bfloat16, cfg=TINY)
    n = sum(p.numel() for p in model.parameters())
    check(n == parameter_count(TINY), f"tiny parameter count {n:,} == vggt_config's {parameter_count(TINY):,}")
    check({p.dtype for p in model.parameters()} == {torch.float32}, "'vggt' numerics: every weight is fp32")
    out, rec = run(model)
    expect_shapes(out, 1, 2, TINY.height, TINY.width)
    check(all(v.isfinite().all() for v in out.values() if torch.is_tensor(v)), "outputs finite")
    check(out["depth"].dtype == torch.float32 and out["pose_enc"].dtype == torch.float32, "head outputs fp32")
    check(len(out["pose_enc_list"]) == TINY.camera_iterations, "one pose encoding per refinement step")
    check(rec.products.get("aggregator") == {"bfloat16"}, f"aggregator products/convs ran in {rec.products.get('aggregator')}")
    for head in REGIONS[1:]:
        check(rec.products.get(head) == {"float32"}, f"{head} products/convs ran in {rec.products.get(head)}")
    check(None not in rec.products, "no product ran outside the aggregator and heads")
    check({p.dtype for p in model.parameters()} == {torch.float32}, "weights still fp32 after the forward")
    default_attention = rec.attention
    print(f"   attention kernels dispatched (default): {sorted(default_attention)}")
    out_b, _ = run(model, frames=3, batch=2, record=False)
    expect_shapes(out_b, 2, 3, TINY.height, TINY.width)
    # the diagnosis switch: rotary table lengths read once per shape give the same outputs
    torch.manual_seed(3)
    images = torch.rand(2, 3, TINY.height, TINY.width)
    with torch.inference_mode(), model.autocast():
        every_call = model(images)["depth"]
        model.aggregator.rope.read_once = True
        once, again = model(images)["depth"], model(images)["depth"]
        model.aggregator.rope.read_once = False
    check(torch.equal(every_call, once) and torch.equal(once, again), "rope_reads 'once' computes what 'every-call' does")

    # 2. the math kernel and the slowdown
    math_model = vggt.build("cpu", torch.bfloat16, attention="math", cfg=TINY)
    _, rec_math = run(math_model)
    print(f"   attention kernels dispatched (math): {sorted(rec_math.attention)}")
    check(default_attention == {"_scaled_dot_product_flash_attention_for_cpu"} and not rec_math.attention,
          "attention='math': no fused SDPA kernel, the attention runs as separate products")
    check(rec_math.bmm >= rec.bmm + 2 * (TINY.encoder_depth + 2 * TINY.aggregator_depth),
          f"attention='math': {rec_math.bmm} batched products (QK^T and AV), default {rec.bmm}")
    slow = vggt.build("cpu", torch.bfloat16, slowdown=0.03, cfg=TINY)
    _, rec_slow = run(slow)
    extra = len(rec_slow.shapes) - len(rec.shapes)
    blocks = TINY.encoder_depth + 2 * TINY.aggregator_depth
    check(extra == blocks, f"slowdown adds {extra} products, one per dim-1024 block ({blocks})")
    widths = {slowdown_width(TINY, t, 0.03) for t in (TINY.encoder_tokens, TINY.tokens_per_frame, 2 * TINY.tokens_per_frame)}
    check(slow.slowdown.weight.shape[0] == max(widths) and slow.slowdown.weight.dtype == torch.bfloat16,
          f"slowdown weight {tuple(slow.slowdown.weight.shape)} {slow.slowdown.weight.dtype} (widths {sorted(widths)})")

    # 3. uniform numerics: one dtype everywhere, no autocast
    uniform = vggt.build("cpu", torch.bfloat16, numerics="uniform", cfg=TINY)
    check(uniform.autocast_dtype is None and {p.dtype for p in uniform.parameters()} == {torch.bfloat16},
          "'uniform' numerics: bf16 weights, no autocast")
    out_u, rec_u = run(uniform)
    check(set().union(*rec_u.products.values()) == {"bfloat16"}, f"'uniform': all products in {set().union(*rec_u.products.values())}")
    check(out_u["depth"].dtype == torch.bfloat16, "'uniform': outputs bf16")
    fp32 = vggt.build("cpu", torch.float32, cfg=TINY)
    check(fp32.autocast_dtype is None, "'vggt' numerics with fp32 requested: no autocast")

    # 4. full size on the meta device
    full = vggt.build(torch.device("meta"), torch.bfloat16)
    n = sum(p.numel() for p in full.parameters())
    check(n == parameter_count(Config()) == 1_190_596_120, f"full-size parameter count {n:,} on meta")
    out_full, _ = run(full, frames=10, record=False)
    expect_shapes(out_full, 1, 10, 336, 518)
    check(len(out_full["images"].shape) == 5, "images kept in the outputs at inference, as published")

    # 5. a training step
    train = vggt.build_for_training("cpu", cfg=TINY)
    images = torch.rand(2, 3, TINY.height, TINY.width)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out_t = train(images)
        loss = out_t["pose_enc"].square().mean() + out_t["depth"].mean() + out_t["world_points"].abs().mean()
        loss = loss + out_t["depth_conf"].mean() + out_t["world_points_conf"].mean()
    loss.backward()
    missing = [k for k, p in train.named_parameters() if p.requires_grad and p.grad is None]
    check(not missing, f"training step: every trainable parameter has a gradient (missing: {missing})")

    # 6. the worker, as the runner drives it (the client's session), on the tiny model
    import worker
    from perf_gate import _distributed, _serve

    real_build = vggt.build
    vggt.build = functools.partial(real_build, cfg=TINY)
    try:
        session = _serve._Session({"side": "head", "dtype": "bf16", "options": {"frames": 2}}, worker.setup, _distributed.Single())
        before = session.describe()
        reply = session.run(worker.step, 2, False)
        extra = session.ctx.extra
        check(extra["weightsDtype"] == "float32" and extra["autocastDtype"] == "bfloat16" and extra["numerics"] == "vggt",
              f"worker reports weights {extra['weightsDtype']}, autocast {extra['autocastDtype']}, heads {extra['headsDtype']}")
        check(before["dtype"] == "fp32" and reply.get("info", {}).get("dtype") == "bf16",
              f"client: {before['dtype']} ({before['dtypeSource']}) before the first forward, then {reply.get('info')}")
        # As the published model loads, its parameters require grad: torch's FlopCounterMode
        # then raises in the camera head under inference_mode (reported with torch 2.11 on a GPU).
        # Only the FLOP count is lost; the dtypes, the attention operator and the host reads
        # (2 per attention layer: the rotary table's length) stay.
        broken = session.profile(worker.step, lambda ok: ok)
        print(f"   client profile: available {broken.get('available')}, failed {broken.get('failedParts')}")
        check(broken.get("available") and list(broken.get("failedParts", {})) == ["flops"] and broken.get("flops") is None
              and "requires_grad_(False)" in broken["failedParts"]["flops"]
              and any("scaled_dot_product" in op for op in broken.get("ops", {})),
              f"client profile of the model as published: failed {list(broken.get('failedParts', {}))}, the rest kept")
        # Host reads count where they wait for a GPU; here on the CPU, counted regardless.
        from perf_gate import _profile

        reads = _profile._dispatch_pass(torch, worker.step, session.state, False, counts_as_read=lambda t: True)["hostReads"]
        check(broken.get("hostReads") == 0 and reads == 4 * TINY.aggregator_depth,
              f"host reads: {reads} per forward (2 per attention layer; 96 at full size), none waiting on the CPU")
        session.state[0].requires_grad_(False)  # the fix the failure names
        profile = session.profile(worker.step, lambda ok: ok)
        check(profile.get("available") and "failedParts" not in profile and profile.get("flops")
              and broken.get("matmulDtypes") == profile.get("matmulDtypes"),
              f"with requires_grad_(False) every part ran (FLOPs {profile.get('flops')}), the same matmul dtypes")
        os.environ["PERF_GATE_HEAD_AUTOCAST_DTYPE"] = "fp32"
        session = _serve._Session({"side": "head", "dtype": "bf16", "options": {"frames": 2}}, worker.setup, _distributed.Single())
        reply = session.run(worker.step, 1, False)
        check(session.describe()["dtype"] == "fp32" and session.ctx.extra["autocastDtype"] is None,
              "PERF_GATE_HEAD_AUTOCAST_DTYPE=fp32: the head runs without autocast and reports fp32")
        del os.environ["PERF_GATE_HEAD_AUTOCAST_DTYPE"]
        session = _serve._Session(
            {"side": "base", "dtype": "bf16", "options": {"frames": 2, "numerics": "uniform"}}, worker.setup, _distributed.Single()
        )
        session.run(worker.step, 1, False)
        check(session.describe()["dtype"] == "bf16" and session.ctx.extra["weightsDtype"] == "bfloat16",
              "numerics 'uniform': bf16 weights, reported bf16 from the parameters")
    finally:
        vggt.build = real_build
    print("all checks passed")


if __name__ == "__main__":
    main()
