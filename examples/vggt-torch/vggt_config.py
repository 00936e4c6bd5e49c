"""Shapes of the VGGT-shaped benchmark model, in pure Python (no torch needed).

Everything here can be checked on a machine without torch:

    python3 vggt_config.py    # prints the parameter count and FLOP estimate

model.py builds the torch modules from the same Config and asserts that the
real parameter count equals parameter_count(cfg).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    height: int = 336  # input image, pixels (VGGT's 518 on the long side)
    width: int = 518
    patch: int = 14  # DINOv2 ViT-L/14
    dim: int = 1024
    heads: int = 16
    mlp_ratio: int = 4  # MLP hidden = 4096
    encoder_depth: int = 24  # DINOv2 ViT-L blocks, run per frame
    aggregator_depth: int = 24  # 24 frame-wise + 24 global blocks, alternating
    register_tokens: int = 4  # VGGT adds 1 camera + 4 register tokens per frame
    depth_hidden: int = 256  # dense head: per-token MLP dim -> 256 -> patch^2
    camera_params: int = 9  # translation 3 + quaternion 4 + field of view 2

    @property
    def grid(self):  # (rows, cols) of patches: 336x518 -> 24 x 37 = 888
        return self.height // self.patch, self.width // self.patch

    @property
    def patches(self):
        rows, cols = self.grid
        return rows * cols

    @property
    def tokens_per_frame(self):  # in the aggregator: camera + registers + patches
        return 1 + self.register_tokens + self.patches


def _linear(i, o):
    return i * o + o


def block_parameters(cfg):
    """One pre-norm transformer block: LN, qkv, proj, LayerScale, LN, MLP, LayerScale."""
    d, h = cfg.dim, cfg.dim * cfg.mlp_ratio
    norms = 2 * 2 * d
    attention = _linear(d, 3 * d) + _linear(d, d)
    mlp = _linear(d, h) + _linear(h, d)
    layer_scales = 2 * d
    return norms + attention + mlp + layer_scales


def parameter_count(cfg=Config()):
    """Exactly what model.VGGTLike(cfg) holds (model.py checks it)."""
    d, p = cfg.dim, cfg.patch
    patch_embed = 3 * p * p * d + d  # Conv2d(3, d, 14, stride 14)
    encoder = (
        patch_embed
        + d  # cls token
        + (1 + cfg.patches) * d  # learned position embedding, cls + 37x24 patches
        + cfg.encoder_depth * block_parameters(cfg)
        + 2 * d  # final LayerNorm
    )
    aggregator = (1 + cfg.register_tokens) * d + 2 * cfg.aggregator_depth * block_parameters(cfg)
    camera_head = 2 * d + _linear(d, d) + _linear(d, cfg.camera_params)
    depth_head = 2 * d + _linear(d, cfg.depth_hidden) + _linear(cfg.depth_hidden, p * p)
    return encoder + aggregator + camera_head + depth_head


def block_flops_per_token(cfg, sequence):
    """Forward FLOPs per token of one block attending over `sequence` tokens."""
    d = cfg.dim
    linear = 2 * (4 * d * d + 2 * cfg.mlp_ratio * d * d)  # qkv + proj + MLP
    attention = 2 * 2 * sequence * d  # QK^T and AV
    return linear + attention


def forward_flops(cfg, frames):
    """Forward FLOPs of the whole model for `frames` frames (matmuls and attention only)."""
    enc_tokens = 1 + cfg.patches
    agg_tokens = cfg.tokens_per_frame
    encoder = frames * enc_tokens * cfg.encoder_depth * block_flops_per_token(cfg, enc_tokens)
    frame_wise = frames * agg_tokens * cfg.aggregator_depth * block_flops_per_token(cfg, agg_tokens)
    global_ = frames * agg_tokens * cfg.aggregator_depth * block_flops_per_token(cfg, frames * agg_tokens)
    return encoder + frame_wise + global_


def slowdown_width(cfg, sequence, fraction):
    """Output width k of the extra [tokens, dim] x [dim, k] matmul that adds about
    `fraction` of a block's FLOPs (2*dim*k per token). 0 when fraction is 0.

    k is rounded to a multiple of 64: an output row width that is not a multiple of
    8 elements leaves cuBLAS on slow unaligned kernels, which made the slowdown jump
    with the knob (on an H200, 0.03 gave +4.3% of time and 0.10 gave +42.5%).

    FLOPs are not time: attention and GEMMs run at different efficiencies, so the
    slowdown measured is only near `fraction`; validation/calibrate_slowdown.py
    measures it.
    """
    if fraction <= 0:
        return 0
    k = fraction * block_flops_per_token(cfg, sequence) / (2 * cfg.dim)
    return max(64, 64 * round(k / 64))


if __name__ == "__main__":
    cfg = Config()
    n = parameter_count(cfg)
    rows, cols = cfg.grid
    print(f"grid {rows}x{cols} = {cfg.patches} patches, {cfg.tokens_per_frame} aggregator tokens/frame")
    print(f"parameters {n:,} ({n / 1e9:.3f} B); per block {block_parameters(cfg):,}")
    for frames in (10, 20):
        print(f"{frames} frames: {forward_flops(cfg, frames) / 1e12:.1f} TFLOP per forward")
    for fraction in (0.01, 0.02, 0.03):
        k_frame = slowdown_width(cfg, cfg.tokens_per_frame, fraction)
        k_global = slowdown_width(cfg, 20 * cfg.tokens_per_frame, fraction)
        print(f"slowdown {fraction}: extra matmul width frame-wise {k_frame}, global (20 frames) {k_global}")
    assert 0.9e9 <= n <= 1.0e9, n
