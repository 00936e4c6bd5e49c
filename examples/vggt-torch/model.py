"""A VGGT-shaped model with random weights: the perf gate's PyTorch example workload.

Same shape as VGGT-1B (Wang et al., CVPR 2025), no checkpoint, no downloads, torch only:

  images [B, S, 3, 336, 518]
    -> patch embedding (Conv2d 14x14, stride 14): 24 x 37 = 888 patches per frame
    -> DINOv2-ViT-L-like encoder, per frame: 24 blocks, dim 1024, 16 heads, MLP 4096
    -> aggregator: camera + 4 register tokens per frame, then 24 x (frame-wise block,
       attention within one frame's 893 tokens; global block, attention across all
       S x 893 tokens)
    -> camera head (the camera token -> MLP -> 9 parameters per frame)
    -> depth head (per-token MLP -> 14 x 14 depth values, tiled back to 336 x 518)

0.910 B parameters (vggt_config.parameter_count). Two knobs for validating the gate:
  attention='math'  forces PyTorch's math SDPA kernel, which materialises the
                    attention matrix: the field failure where memory explodes
                    (2.2 GiB -> ~45 GiB at 20 frames in bf16, per DESIGN.md).
  slowdown=0.03     adds one extra matmul per block worth ~3% of its FLOPs.

    python3 model.py [frames]   # builds it, checks the count, runs one forward
"""

import contextlib

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint

from vggt_config import Config, parameter_count, slowdown_width

ATTENTION_MODES = ("default", "math")


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


class Slowdown:
    """Extra work for validation runs: after each block, x @ W[:k].T with k from
    vggt_config.slowdown_width, i.e. about `fraction` of the block's FLOPs.

    One weight shared by all blocks (a few MB, made at the first forward, so warm-up
    covers it) keeps memory and the parameter count unchanged. The product is
    discarded: eager PyTorch runs every op it is given (this would not survive
    torch.compile, which removes dead code).
    """

    def __init__(self, cfg, fraction):
        self.cfg, self.fraction, self.weight = cfg, float(fraction), None

    def __call__(self, x, sequence):
        k = slowdown_width(self.cfg, sequence, self.fraction)
        if k == 0:
            return
        w = self.weight
        if w is None or w.shape[0] < k or w.device != x.device or w.dtype != x.dtype:
            w = self.weight = 0.02 * torch.randn(k, x.shape[-1], device=x.device, dtype=x.dtype)
        F.linear(x, w[:k])


class Block(nn.Module):
    """Pre-norm transformer block with LayerScale (DINOv2 / VGGT style)."""

    def __init__(self, cfg, slowdown):
        super().__init__()
        d = cfg.dim
        self.heads = cfg.heads
        self.norm1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ls1 = nn.Parameter(torch.full((d,), 0.1))
        self.norm2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, cfg.mlp_ratio * d)
        self.fc2 = nn.Linear(cfg.mlp_ratio * d, d)
        self.ls2 = nn.Parameter(torch.full((d,), 0.1))
        self.slowdown = slowdown  # a plain object, not a submodule: no parameters
        self.checkpointing = False  # set by build_for_training(checkpointing=True)

    def forward(self, x):
        if self.checkpointing and torch.is_grad_enabled():
            # Keep only the block's input; recompute its activations in the backward pass.
            return checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)

    def _forward(self, x):  # x [batch, sequence, dim]; attention over the whole sequence
        b, n, d = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(b, n, 3, self.heads, d // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each [b, heads, n, head_dim]
        a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, n, d)
        x = x + self.ls1 * self.proj(a)
        x = x + self.ls2 * self.fc2(F.gelu(self.fc1(self.norm2(x))))
        self.slowdown(x, n)
        return x


class Encoder(nn.Module):
    """DINOv2-ViT-L/14-like: patch embedding, cls token, learned position embedding."""

    def __init__(self, cfg, slowdown):
        super().__init__()
        d = cfg.dim
        self.patch_embed = nn.Conv2d(3, d, kernel_size=cfg.patch, stride=cfg.patch)
        self.cls_token = nn.Parameter(0.02 * torch.randn(1, 1, d))
        self.pos_embed = nn.Parameter(0.02 * torch.randn(1, 1 + cfg.patches, d))  # sized for 37 x 24
        self.blocks = nn.ModuleList(Block(cfg, slowdown) for _ in range(cfg.encoder_depth))
        self.norm = nn.LayerNorm(d)

    def forward(self, images):  # [N, 3, H, W] -> patch tokens [N, patches, dim]
        x = self.patch_embed(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.norm(x)[:, 1:]


class VGGTLike(nn.Module):
    def __init__(self, cfg=Config(), attention="default", slowdown=0.0):
        super().__init__()
        if attention not in ATTENTION_MODES:
            raise ValueError(f"attention must be one of {ATTENTION_MODES}, not {attention!r}")
        d, self.cfg, self.attention = cfg.dim, cfg, attention
        self.slowdown = Slowdown(cfg, slowdown)
        self.encoder = Encoder(cfg, self.slowdown)
        # camera token first, then the register tokens; the same for every frame
        self.frame_tokens = nn.Parameter(0.02 * torch.randn(1, 1 + cfg.register_tokens, d))
        self.frame_blocks = nn.ModuleList(Block(cfg, self.slowdown) for _ in range(cfg.aggregator_depth))
        self.global_blocks = nn.ModuleList(Block(cfg, self.slowdown) for _ in range(cfg.aggregator_depth))
        self.camera_head = nn.Sequential(
            nn.LayerNorm(d), nn.Linear(d, d), nn.GELU(), nn.Linear(d, cfg.camera_params)
        )
        self.depth_head = nn.Sequential(
            nn.LayerNorm(d), nn.Linear(d, cfg.depth_hidden), nn.GELU(), nn.Linear(cfg.depth_hidden, cfg.patch**2)
        )

    def forward(self, images):
        """images [S, 3, H, W] or [B, S, 3, H, W] -> (camera [B, S, 9], depth [B, S, H, W])."""
        if images.dim() == 4:
            images = images.unsqueeze(0)
        cfg, p = self.cfg, self.cfg.patch
        b, s, _, h, w = images.shape
        if (h, w) != (cfg.height, cfg.width):
            raise ValueError(f"images must be {cfg.height}x{cfg.width} (the position embedding's size), not {h}x{w}")
        rows, cols = cfg.grid
        with attention_context(self.attention):
            patches = self.encoder(images.flatten(0, 1))  # [B*S, 888, d]
            x = torch.cat([self.frame_tokens.expand(b * s, -1, -1), patches], dim=1)  # [B*S, 893, d]
            t, d = x.shape[1], x.shape[2]
            for frame_block, global_block in zip(self.frame_blocks, self.global_blocks):
                x = frame_block(x)  # within each frame: sequence 893
                x = global_block(x.reshape(b, s * t, d)).reshape(b * s, t, d)  # across frames: S x 893
        camera = self.camera_head(x[:, 0]).reshape(b, s, cfg.camera_params)
        depth = self.depth_head(x[:, t - cfg.patches :])  # [B*S, 888, 14*14]
        depth = depth.reshape(b, s, rows, cols, p, p).permute(0, 1, 2, 4, 3, 5).reshape(b, s, rows * p, cols * p)
        return camera, F.softplus(depth)


def build(device, dtype, attention="default", slowdown=0.0, cfg=Config(), seed=0):
    """The model on `device` in `dtype`, eval mode, its parameter count checked.

    Built directly on the device (fast, no 3.6 GB fp32 copy in host memory), then
    cast; the fp32 originals are returned to the driver so that they do not sit in
    the allocator's cache and inflate reserved memory or NVML's per-process figure.
    """
    torch.manual_seed(seed)  # base and head get the same weights
    with torch.device(device):
        model = VGGTLike(cfg, attention=attention, slowdown=slowdown)
    model = model.to(dtype=dtype).eval().requires_grad_(False)
    if str(device).startswith("cuda"):
        torch.cuda.empty_cache()
    count = sum(p.numel() for p in model.parameters())
    assert count == parameter_count(cfg), (count, parameter_count(cfg))
    return model


def build_for_training(device, attention="default", slowdown=0.0, checkpointing=True, cfg=Config(), seed=0):
    """The model on `device` for training: fp32 weights (mixed precision comes from
    autocast in the step), train mode, and with `checkpointing` every transformer block
    recomputes its activations in the backward pass instead of keeping them."""
    torch.manual_seed(seed)
    with torch.device(device):
        model = VGGTLike(cfg, attention=attention, slowdown=slowdown)
    for module in model.modules():
        if isinstance(module, Block):
            module.checkpointing = checkpointing
    count = sum(p.numel() for p in model.parameters())
    assert count == parameter_count(cfg), (count, parameter_count(cfg))
    return model.train()


if __name__ == "__main__":  # smoke test: python3 model.py [frames] [attention] [slowdown]
    import sys
    import time

    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    attention = sys.argv[2] if len(sys.argv) > 2 else "default"
    slowdown = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" and torch.cuda.get_device_capability()[0] >= 8 else torch.float32
    model = build(device, dtype, attention, slowdown)
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters, {dtype}, {device}")
    images = torch.rand(frames, 3, model.cfg.height, model.cfg.width, device=device, dtype=dtype)
    with torch.inference_mode():
        for i in range(3):
            started = time.perf_counter()
            camera, depth = model(images)
            if device == "cuda":
                torch.cuda.synchronize()
            print(f"forward {i}: {(time.perf_counter() - started) * 1e3:.1f} ms")
    print("camera", tuple(camera.shape), "depth", tuple(depth.shape), "finite", bool(depth.isfinite().all()))
    if device == "cuda":
        print(f"peak allocated {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB")
