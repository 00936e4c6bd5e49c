"""Shapes of the VGGT-1B benchmark model, in pure Python (no torch needed).

The architecture is the published VGGT-1B (Wang et al., CVPR 2025), without the
track head; the weights are random. Everything here can be checked on a machine
without torch:

    python3 vggt_config.py    # prints the parameter count and FLOP estimate

model.py builds the torch modules from the same Config and asserts that the
real parameter count equals parameter_count(cfg), so the two cannot drift apart.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    height: int = 336  # input image, pixels (VGGT's preprocessing makes the long side 518)
    width: int = 518
    patch: int = 14  # DINOv2 ViT-L/14
    dim: int = 1024
    heads: int = 16
    mlp_ratio: int = 4  # MLP hidden = 4096
    # DINOv2 ViT-L/14 with registers, run per frame (the aggregator's patch embedding)
    encoder_depth: int = 24
    encoder_registers: int = 4
    encoder_layer_scale: float = 1.0
    pos_embed_grid: int = 37  # DINOv2's learned position embedding is 37 x 37 (518 px), resized per input
    # the aggregator: 24 frame-wise + 24 global blocks, alternating, qk-norm, 2D RoPE
    aggregator_depth: int = 24
    register_tokens: int = 4  # per frame, after the camera token
    aggregator_layer_scale: float = 0.01
    rope_frequency: float = 100.0
    # camera head: a trunk of blocks at twice the width, refined iteratively
    camera_trunk_depth: int = 4
    camera_heads: int = 16
    camera_iterations: int = 4
    camera_params: int = 9  # translation 3 + quaternion 4 + field of view 2
    # DPT heads (depth: 1 value + confidence; world points: 3 values + confidence)
    dpt_layers: tuple = (4, 11, 17, 23)  # which aggregator outputs they read
    dpt_features: int = 256
    dpt_channels: tuple = (256, 512, 1024, 1024)
    dpt_out_hidden: int = 32
    dpt_frames_chunk: int = 8  # frames per pass through a DPT head (memory bound)
    depth_outputs: int = 2
    point_outputs: int = 4

    @property
    def grid(self):  # (rows, cols) of patches: 336x518 -> 24 x 37 = 888
        return self.height // self.patch, self.width // self.patch

    @property
    def patches(self):
        rows, cols = self.grid
        return rows * cols

    @property
    def encoder_tokens(self):  # in DINOv2: cls + registers + patches
        return 1 + self.encoder_registers + self.patches

    @property
    def tokens_per_frame(self):  # in the aggregator: camera + registers + patches
        return 1 + self.register_tokens + self.patches

    @property
    def head_dim(self):  # the heads read frame and global outputs side by side
        return 2 * self.dim


def _linear(i, o, bias=True):
    return i * o + (o if bias else 0)


def _conv(i, o, k, bias=True):
    return i * o * k * k + (o if bias else 0)


def _layer_norm(d):
    return 2 * d


def block_parameters(cfg, dim=None, heads=None, qk_norm=False):
    """One pre-norm block: LN, qkv, (qk LayerNorms), proj, LayerScale, LN, MLP, LayerScale."""
    d = dim or cfg.dim
    head = d // (heads or cfg.heads)
    h = d * cfg.mlp_ratio
    attention = _linear(d, 3 * d) + _linear(d, d) + (2 * _layer_norm(head) if qk_norm else 0)
    mlp = _linear(d, h) + _linear(h, d)
    return 2 * _layer_norm(d) + attention + mlp + 2 * d


def encoder_parameters(cfg):
    """DINOv2 ViT-L/14 with registers: what VGGT uses as its patch embedding."""
    d = cfg.dim
    tokens = d * (1 + cfg.encoder_registers + 1)  # cls, registers, mask token (unused, but held)
    pos_embed = (1 + cfg.pos_embed_grid**2) * d
    blocks = cfg.encoder_depth * block_parameters(cfg)
    return _conv(3, d, cfg.patch) + tokens + pos_embed + blocks + _layer_norm(d)


def aggregator_parameters(cfg):
    """Encoder, then the frame-wise and global blocks; camera and register tokens come in two
    versions, one for the first frame and one for all others."""
    d = cfg.dim
    tokens = 2 * (1 + cfg.register_tokens) * d
    blocks = 2 * cfg.aggregator_depth * block_parameters(cfg, qk_norm=True)
    return encoder_parameters(cfg) + tokens + blocks


def camera_head_parameters(cfg):
    d, p = cfg.head_dim, cfg.camera_params
    trunk = cfg.camera_trunk_depth * block_parameters(cfg, dim=d, heads=cfg.camera_heads)
    norms = 2 * _layer_norm(d)  # token norm, trunk norm (the adaLN norm has no weights)
    pose = p + _linear(p, d) + _linear(d, 3 * d)  # empty pose, pose embedding, modulation
    branch = _linear(d, d // 2) + _linear(d // 2, p)
    return trunk + norms + pose + branch


def dpt_head_parameters(cfg, outputs):
    d, f, c = cfg.head_dim, cfg.dpt_features, cfg.dpt_channels
    projections = sum(_conv(d, ci, 1) for ci in c)
    resize = _conv(c[0], c[0], 4) + _conv(c[1], c[1], 2) + _conv(c[3], c[3], 3)  # up x4, up x2, -, down x2
    to_features = sum(_conv(ci, f, 3, bias=False) for ci in c)
    residual_unit = 2 * _conv(f, f, 3)
    fusion = 4 * (_conv(f, f, 1) + residual_unit) + 3 * residual_unit  # the deepest one has no skip input
    output = _conv(f, f // 2, 3) + _conv(f // 2, cfg.dpt_out_hidden, 3) + _conv(cfg.dpt_out_hidden, outputs, 1)
    return _layer_norm(d) + projections + resize + to_features + fusion + output


def parameter_breakdown(cfg=Config()):
    return {
        "aggregator": aggregator_parameters(cfg),
        "of which DINOv2 encoder": encoder_parameters(cfg),
        "camera head": camera_head_parameters(cfg),
        "depth head": dpt_head_parameters(cfg, cfg.depth_outputs),
        "point head": dpt_head_parameters(cfg, cfg.point_outputs),
    }


def parameter_count(cfg=Config()):
    """Exactly what model.VGGT(cfg) holds (model.py checks it)."""
    parts = parameter_breakdown(cfg)
    return sum(n for name, n in parts.items() if not name.startswith("of which"))


def block_flops_per_token(cfg, sequence, dim=None):
    """Forward FLOPs per token of one block attending over `sequence` tokens."""
    d = dim or cfg.dim
    linear = 2 * (4 * d * d + 2 * cfg.mlp_ratio * d * d)  # qkv + proj + MLP
    attention = 2 * 2 * sequence * d  # QK^T and AV
    return linear + attention


def _conv_flops(i, o, k, rows, cols):  # at the output resolution
    return 2 * i * o * k * k * rows * cols


def dpt_flops_per_frame(cfg, outputs):
    """Convolutions of one DPT head for one frame, at the resolutions the head runs them."""
    rows, cols = cfg.grid
    d, f, c = cfg.head_dim, cfg.dpt_features, cfg.dpt_channels
    sizes = [(4 * rows, 4 * cols), (2 * rows, 2 * cols), (rows, cols), ((rows - 1) // 2 + 1, (cols - 1) // 2 + 1)]
    total = sum(_conv_flops(d, ci, 1, rows, cols) for ci in c)  # projections on the patch grid
    # transposed convolutions: every input pixel meets k x k weights per channel pair
    total += 2 * c[0] * c[0] * 16 * rows * cols + 2 * c[1] * c[1] * 4 * rows * cols
    total += _conv_flops(c[3], c[3], 3, *sizes[3])
    total += sum(_conv_flops(ci, f, 3, *s) for ci, s in zip(c, sizes))
    unit = lambda s: 2 * _conv_flops(f, f, 3, *s)  # noqa: E731 (one residual unit)
    # fusion, deepest first; each upsamples to the next size, then a 1x1 conv there
    up = sizes[2::-1] + [(2 * sizes[0][0], 2 * sizes[0][1])]
    for i, (size, target) in enumerate(zip(sizes[::-1], up)):
        total += unit(size) * (1 if i == 0 else 2) + _conv_flops(f, f, 1, *target)
    total += _conv_flops(f, f // 2, 3, *up[-1])
    h, w = rows * cfg.patch, cols * cfg.patch
    total += _conv_flops(f // 2, cfg.dpt_out_hidden, 3, h, w) + _conv_flops(cfg.dpt_out_hidden, outputs, 1, h, w)
    return total


def forward_flops(cfg, frames, parts=False):
    """Forward FLOPs for `frames` frames (matmuls, attention and convolutions only)."""
    t, e = cfg.tokens_per_frame, cfg.encoder_tokens
    d2, p = cfg.head_dim, cfg.camera_params
    camera_step = 2 * (p * d2 + 3 * d2 * d2 + d2 * d2 // 2 + d2 // 2 * p)
    camera_step += cfg.camera_trunk_depth * block_flops_per_token(cfg, frames, dim=d2)
    flops = {
        "encoder": frames * e * cfg.encoder_depth * block_flops_per_token(cfg, e),
        "frame blocks": frames * t * cfg.aggregator_depth * block_flops_per_token(cfg, t),
        "global blocks": frames * t * cfg.aggregator_depth * block_flops_per_token(cfg, frames * t),
        "camera head": frames * cfg.camera_iterations * camera_step,
        "depth head": frames * dpt_flops_per_frame(cfg, cfg.depth_outputs),
        "point head": frames * dpt_flops_per_frame(cfg, cfg.point_outputs),
    }
    return flops if parts else sum(flops.values())


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
    print(f"parameters {n:,} ({n / 1e9:.3f} B, without the track head)")
    for name, count in parameter_breakdown(cfg).items():
        print(f"  {name:<24} {count:>13,}")
    print(f"  per aggregator block     {block_parameters(cfg, qk_norm=True):>13,}")
    for frames in (10, 20):
        parts = forward_flops(cfg, frames, parts=True)
        split = ", ".join(f"{k} {v / 1e12:.2f}" for k, v in parts.items())
        print(f"{frames} frames: {sum(parts.values()) / 1e12:.1f} TFLOP per forward ({split})")
    for fraction in (0.01, 0.02, 0.03):
        k_frame = slowdown_width(cfg, cfg.tokens_per_frame, fraction)
        k_global = slowdown_width(cfg, 20 * cfg.tokens_per_frame, fraction)
        print(f"slowdown {fraction}: extra matmul width frame-wise {k_frame}, global (20 frames) {k_global}")
    assert 1.1e9 <= n <= 1.2e9, n
