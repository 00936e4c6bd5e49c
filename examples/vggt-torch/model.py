"""VGGT-1B with random weights: the perf gate's PyTorch example workload.

The architecture and numerics of the published VGGT-1B (Wang et al., CVPR 2025,
github.com/facebookresearch/vggt), written anew, with no checkpoint and no downloads:

  images [B, S, 3, 336, 518] in [0, 1], normalised with the ImageNet mean and std
    -> DINOv2 ViT-L/14 with 4 registers, per frame (vggt_layers.DinoEncoder):
       24 x 37 = 888 patch tokens of dim 1024
    -> aggregator: camera token + 4 register tokens + 888 patches = 893 tokens per
       frame (the first frame has its own camera/register tokens), then 24 x (frame
       block, attention within a frame; global block, attention across all S x 893
       tokens); dim 1024, 16 heads, MLP 4096, qk-norm, LayerScale 0.01, 2D RoPE
       (base 100; patches at (row+1, col+1), special tokens at (0, 0)). Every layer's
       frame and global outputs are kept side by side: 24 tensors [B, S, 893, 2048].
    -> camera head (last layer's camera tokens, 4 blocks at dim 2048, 4 refinement
       steps) -> pose encoding [B, S, 9]
    -> DPT heads on layers 4, 11, 17, 23: depth [B, S, H, W, 1] + confidence, world
       points [B, S, H, W, 3] + confidence
  The track head is left out: the published model runs it only when query points are
  given, which the README's inference does not.

1,190,596,120 parameters (vggt_config.parameter_count). Numerics ('numerics'):
  'vggt'     (default) as the published model runs under the README's
             `with torch.autocast(..., dtype=bf16): model(images)`: weights fp32, the
             aggregator under the caller's autocast (bf16 matmuls, fp32 LayerNorms and
             residual stream), the heads with autocast disabled, so fp32 throughout.
             Call the model inside `model.autocast()`, which is that autocast.
  'uniform'  the previous example's behaviour: weights and inputs cast to one dtype,
             no autocast anywhere.
Two knobs for validating the gate:
  attention='math'  forces PyTorch's math SDPA kernel, which materialises the
                    attention matrix: the field failure where memory explodes.
  slowdown=0.03     adds one extra matmul per dim-1024 block worth ~3% of its FLOPs.

    python3 model.py [frames] [attention] [slowdown] [numerics]   # builds it, checks the count, runs it
"""

import contextlib

import torch
import torch.nn.functional as F
from torch import nn

from vggt_config import Config, parameter_count, slowdown_width
from vggt_heads import CameraHead, DPTHead
from vggt_layers import Block, DinoEncoder, Rope2D, grid_positions, init_transformer

ATTENTION_MODES = ("default", "math")
NUMERICS = ("vggt", "uniform")
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def attention_context(mode):
    """Context that selects the SDPA kernels: PyTorch's choice, or the math kernel only."""
    if mode == "default":
        return contextlib.nullcontext()
    if mode == "math":
        try:  # torch >= 2.3
            from torch.nn.attention import SDPBackend, sdpa_kernel

            return sdpa_kernel(SDPBackend.MATH)
        except ImportError:
            return torch.backends.cuda.sdp_kernel(enable_flash=False, enable_math=True, enable_mem_efficient=False)
    raise ValueError(f"attention must be one of {ATTENTION_MODES}, not {mode!r}")


def autocast_off(device_type):
    """Autocast disabled for the heads, on the device the tensors are on. The published
    model writes torch.cuda.amp.autocast(enabled=False), the same on CUDA; naming the
    device type also disables CPU autocast, and a device without autocast (meta) needs none."""
    if torch.amp.is_autocast_available(device_type):
        return torch.autocast(device_type=device_type, enabled=False)
    return contextlib.nullcontext()


class Slowdown:
    """Extra work for validation runs: after each dim-1024 block (encoder, frame-wise,
    global), x @ W[:k].T with k from vggt_config.slowdown_width, i.e. about `fraction`
    of the block's FLOPs.

    One weight shared by all blocks (a few MB, made at the first forward, so warm-up
    covers it) keeps memory and the parameter count unchanged. It is made in the dtype
    the product runs in (autocast's, else the tokens'), so autocast does not cast it
    per call. The product is discarded: eager PyTorch runs every op it is given (this
    would not survive torch.compile, which removes dead code).
    """

    def __init__(self, cfg, fraction):
        self.cfg, self.fraction, self.weight = cfg, float(fraction), None

    def __call__(self, x, sequence):
        k = slowdown_width(self.cfg, sequence, self.fraction)
        if k == 0:
            return
        dtype = x.dtype
        if torch.amp.is_autocast_available(x.device.type) and torch.is_autocast_enabled(x.device.type):
            dtype = torch.get_autocast_dtype(x.device.type)
        w = self.weight
        if w is None or w.shape[0] < k or w.device != x.device or w.dtype != dtype:
            w = self.weight = 0.02 * torch.randn(k, x.shape[-1], device=x.device, dtype=dtype)
        F.linear(x, w[:k])


class Aggregator(nn.Module):
    """The DINOv2 encoder, then alternating frame-wise and global attention over the
    frames' camera, register and patch tokens. Returns every layer's frame and global
    outputs concatenated ([B, S, tokens, 2 * dim] each) and the first patch index."""

    def __init__(self, cfg, slowdown):
        super().__init__()
        d = cfg.dim
        self.cfg = cfg
        self.encoder = DinoEncoder(cfg, slowdown)
        self.rope = Rope2D(cfg.rope_frequency)
        # Index 0 along dim 1 is the first frame's token, index 1 every other frame's.
        self.camera_token = nn.Parameter(1e-6 * torch.randn(1, 2, 1, d))
        self.register_token = nn.Parameter(1e-6 * torch.randn(1, 2, cfg.register_tokens, d))

        def block():
            return Block(
                d, cfg.heads, cfg.mlp_ratio, cfg.aggregator_layer_scale, qk_norm=True, rope=self.rope, slowdown=slowdown
            )

        self.frame_blocks = nn.ModuleList(block() for _ in range(cfg.aggregator_depth))
        self.global_blocks = nn.ModuleList(block() for _ in range(cfg.aggregator_depth))
        init_transformer(self.frame_blocks)
        init_transformer(self.global_blocks)
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 1, 3, 1, 1), persistent=False)

    @staticmethod
    def _per_frame(token, b, s):  # [1, 2, n, d] -> [b*s, n, d]: the first frame's, then the others'
        first = token[:, :1].expand(b, 1, -1, -1)
        rest = token[:, 1:].expand(b, s - 1, -1, -1)
        return torch.cat([first, rest], dim=1).reshape(b * s, *token.shape[2:])

    def forward(self, images):
        b, s, _, h, w = images.shape
        rows, cols = h // self.cfg.patch, w // self.cfg.patch
        patches = self.encoder(((images - self.mean) / self.std).reshape(b * s, 3, h, w))
        special = [self._per_frame(self.camera_token, b, s), self._per_frame(self.register_token, b, s)]
        x = torch.cat([*special, patches], dim=1)  # [b*s, t, d]
        start, (_, t, d) = 1 + self.cfg.register_tokens, x.shape
        positions = grid_positions(b * s, rows, cols, start, images.device)
        layers = []
        for frame_block, global_block in zip(self.frame_blocks, self.global_blocks):
            x = frame_block(x.reshape(b * s, t, d), positions)
            frame_out = x.reshape(b, s, t, d)
            x = global_block(x.reshape(b, s * t, d), positions.reshape(b, s * t, 2))
            layers.append(torch.cat([frame_out, x.reshape(b, s, t, d)], dim=-1))
        return layers, start


class VGGT(nn.Module):
    def __init__(self, cfg=Config(), attention="default", slowdown=0.0):
        super().__init__()
        if attention not in ATTENTION_MODES:
            raise ValueError(f"attention must be one of {ATTENTION_MODES}, not {attention!r}")
        if max(cfg.dpt_layers) >= cfg.aggregator_depth:
            raise ValueError(f"dpt_layers {cfg.dpt_layers} must be below aggregator_depth {cfg.aggregator_depth}")
        self.cfg, self.attention = cfg, attention
        self.slowdown = Slowdown(cfg, slowdown)
        self.aggregator = Aggregator(cfg, self.slowdown)
        self.camera_head = CameraHead(cfg)
        self.depth_head = DPTHead(cfg, cfg.depth_outputs, "exp")
        self.point_head = DPTHead(cfg, cfg.point_outputs, "inv_log")
        self.numerics, self.autocast_dtype, self.input_dtype = "vggt", None, torch.float32  # set by build()

    def autocast(self):
        """The context to call the model in: autocast to autocast_dtype on the weights'
        device in 'vggt' numerics (nothing when that is None: fp32, or 'uniform')."""
        device_type = self.aggregator.mean.device.type
        if self.autocast_dtype is None or not torch.amp.is_autocast_available(device_type):
            return contextlib.nullcontext()  # also on the meta device, which has no autocast
        return torch.autocast(device_type=device_type, dtype=self.autocast_dtype)

    def forward(self, images):
        """images [S, 3, H, W] or [B, S, 3, H, W] in [0, 1], H and W multiples of 14 -> dict:
        pose_enc [B, S, 9] (and pose_enc_list, one per refinement step), depth
        [B, S, H, W, 1], depth_conf [B, S, H, W], world_points [B, S, H, W, 3],
        world_points_conf [B, S, H, W] (and images, at inference, as the published model)."""
        if images.dim() == 4:
            images = images.unsqueeze(0)
        h, w = images.shape[-2:]
        if h % self.cfg.patch or w % self.cfg.patch:
            raise ValueError(f"image height and width must be multiples of {self.cfg.patch}, not {h}x{w}")
        with attention_context(self.attention):
            layers, start = self.aggregator(images)
            with autocast_off(images.device.type):  # the heads run in the weights' dtype
                steps = self.camera_head(layers)
                depth, depth_conf = self.depth_head(layers, images, start)
                points, points_conf = self.point_head(layers, images, start)
        out = {
            "pose_enc": steps[-1],
            "pose_enc_list": steps,
            "depth": depth,
            "depth_conf": depth_conf,
            "world_points": points,
            "world_points_conf": points_conf,
        }
        if not self.training:
            out["images"] = images
        return out


def _check_count(model, cfg):
    count = sum(p.numel() for p in model.parameters())
    assert count == parameter_count(cfg), (count, parameter_count(cfg))


def build(device, dtype, attention="default", slowdown=0.0, numerics="vggt", cfg=Config(), seed=0):
    """The model on `device`, eval mode, its parameter count checked, for the runner's `dtype`.

    numerics 'vggt': fp32 weights; model.autocast() is autocast to `dtype` (none for
    fp32); inputs fp32 (model.input_dtype). 'uniform': weights cast to `dtype`, no
    autocast, inputs in `dtype`. Built directly on the device (fast, no copy in host
    memory); after a cast the fp32 originals are returned to the driver so that they
    do not sit in the allocator's cache and inflate reserved memory or NVML's figure.
    """
    if numerics not in NUMERICS:
        raise ValueError(f"numerics must be one of {NUMERICS}, not {numerics!r}")
    torch.manual_seed(seed)  # base and head get the same weights
    with torch.device(device):
        model = VGGT(cfg, attention=attention, slowdown=slowdown)
    model.numerics = numerics
    if numerics == "uniform":
        model = model.to(dtype=dtype)
        model.input_dtype = dtype
        if str(device).startswith("cuda"):
            torch.cuda.empty_cache()
    else:
        model.autocast_dtype = None if dtype == torch.float32 else dtype
    # Parameters keep requires_grad, as the published model loads (from_pretrained leaves
    # it on): under inference_mode it costs nothing, and it is what makes torch's FLOP
    # counter raise in the camera head, which the gate's profile must survive.
    model = model.eval()
    _check_count(model, cfg)
    return model


def build_for_training(device, attention="default", slowdown=0.0, checkpointing=True, cfg=Config(), seed=0):
    """The model on `device` for training: fp32 weights (mixed precision comes from
    autocast in the step; the heads disable it, as in 'vggt' numerics), train mode, and
    with `checkpointing` every transformer block recomputes its activations in the
    backward pass instead of keeping them."""
    torch.manual_seed(seed)
    with torch.device(device):
        model = VGGT(cfg, attention=attention, slowdown=slowdown)
    for module in model.modules():
        if isinstance(module, Block):
            module.checkpointing = checkpointing
    _check_count(model, cfg)
    return model.train()


def shapes(out):
    """The outputs' shapes and dtypes, for printing."""
    return {k: (tuple(v.shape), str(v.dtype).replace("torch.", "")) for k, v in out.items() if torch.is_tensor(v)}


if __name__ == "__main__":  # smoke test: python3 model.py [frames] [attention] [slowdown] [numerics]
    import sys
    import time

    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    attention = sys.argv[2] if len(sys.argv) > 2 else "default"
    slowdown = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    numerics = sys.argv[4] if len(sys.argv) > 4 else "vggt"
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if device == "cpu" or torch.cuda.get_device_capability()[0] >= 8 else torch.float16
    model = build(device, dtype, attention, slowdown, numerics)
    weights = next(model.parameters()).dtype
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters, weights {weights}, "
          f"autocast {model.autocast_dtype}, {numerics}, {device}")
    images = torch.rand(frames, 3, model.cfg.height, model.cfg.width, device=device, dtype=model.input_dtype)
    with torch.inference_mode(), model.autocast():
        for i in range(3):
            started = time.perf_counter()
            out = model(images)
            if device == "cuda":
                torch.cuda.synchronize()
            print(f"forward {i}: {(time.perf_counter() - started) * 1e3:.1f} ms")
    print(shapes(out), "finite", all(bool(v.isfinite().all()) for v in out.values() if torch.is_tensor(v)))
    if device == "cuda":
        print(f"peak allocated {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB")
