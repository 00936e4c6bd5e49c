"""Transformer pieces of the VGGT-1B benchmark model: 2D rotary positions, attention with
optional qk-norm, the pre-norm block with LayerScale, and the DINOv2 ViT-L/14 encoder
with register tokens that VGGT uses as its patch embedding.

Written from the published architecture (github.com/facebookresearch/vggt), with the
same operations in the same order, so that mixed precision does to these modules what
it does to the real model (see model.py for where autocast applies).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint


def grid_positions(batch, rows, cols, special, device):
    """(row, col) of every token, [batch, special + rows*cols, 2], as VGGT's aggregator
    makes them: patches count from 1 in raster order, the `special` tokens in front
    (camera and registers) all sit at (0, 0)."""
    r = torch.arange(rows, device=device)
    c = torch.arange(cols, device=device)
    patches = torch.cartesian_prod(r, c) + 1
    front = torch.zeros(special, 2, dtype=patches.dtype, device=device)
    return torch.cat([front, patches]).unsqueeze(0).expand(batch, -1, -1)


class Rope2D(nn.Module):
    """Rotary embedding in two dimensions: half of each head's channels rotate with the
    token's row, the other half with its column (base frequency 100 in VGGT).

    The angle table is sized by the largest position in the batch, read back from the
    device in every call, as the published model does: one host synchronisation per
    rotation (two per attention layer), which is part of what the model costs.
    With read_once, the length is read back once per positions shape and reused
    (a diagnosis switch: those reads are where the model's slow states come from).
    """

    def __init__(self, frequency, read_once=False):
        super().__init__()
        self.frequency = frequency
        self.read_once = read_once
        self.tables = {}  # (channels, length, device, dtype) -> (cos, sin)
        self.lengths = {}  # positions shape -> length, with read_once

    def table(self, channels, length, device, dtype):
        key = (channels, length, device, dtype)
        if key not in self.tables:
            inverse = 1.0 / self.frequency ** (torch.arange(0, channels, 2, device=device).float() / channels)
            angles = torch.outer(torch.arange(length, device=device, dtype=inverse.dtype), inverse).to(dtype)
            angles = torch.cat([angles, angles], dim=-1)
            self.tables[key] = (angles.cos().to(dtype), angles.sin().to(dtype))
        return self.tables[key]

    @staticmethod
    def _rotate(x, index, cos, sin):  # x [b, heads, n, c], index [b, n]
        cos, sin = F.embedding(index, cos)[:, None], F.embedding(index, sin)[:, None]
        first, second = x.chunk(2, dim=-1)
        return x * cos + torch.cat([-second, first], dim=-1) * sin

    def forward(self, x, positions):
        channels = x.shape[-1] // 2
        # A meta tensor has no values: any table at least as long as the sequence will do.
        if positions.is_meta:
            length = positions.shape[-2] + 1
        elif self.read_once:
            shape = tuple(positions.shape)
            if shape not in self.lengths:
                self.lengths[shape] = int(positions.max()) + 1
            length = self.lengths[shape]
        else:
            length = int(positions.max()) + 1
        cos, sin = self.table(channels, length, x.device, x.dtype)
        by_row, by_col = x.chunk(2, dim=-1)
        return torch.cat(
            [self._rotate(by_row, positions[..., 0], cos, sin), self._rotate(by_col, positions[..., 1], cos, sin)],
            dim=-1,
        )


class Attention(nn.Module):
    """Multi-head self-attention through F.scaled_dot_product_attention. With qk_norm the
    queries and keys get a LayerNorm per head (which autocast runs in fp32 on CUDA),
    then the rotary embedding when positions are given."""

    def __init__(self, dim, heads, qk_norm=False, rope=None):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.q_norm = nn.LayerNorm(dim // heads) if qk_norm else nn.Identity()
        self.k_norm = nn.LayerNorm(dim // heads) if qk_norm else nn.Identity()
        self.proj = nn.Linear(dim, dim)
        self.rope = rope  # shared by all blocks, no parameters

    def forward(self, x, positions=None):
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        q, k = self.q_norm(q), self.k_norm(k)
        if self.rope is not None:
            q, k = self.rope(q, positions), self.rope(k, positions)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden, out=None):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, out or dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class LayerScale(nn.Module):
    """A learned per-channel gain on a residual branch. The gain is a parameter in the
    weights' dtype, so under autocast the branch (bf16) times the gain (fp32) is fp32,
    and so is the residual stream."""

    def __init__(self, dim, value):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((dim,), float(value)))

    def forward(self, x):
        return x * self.gamma


class Block(nn.Module):
    """Pre-norm transformer block: x + ls1(attn(norm1(x))), then x + ls2(mlp(norm2(x)))."""

    def __init__(self, dim, heads, mlp_ratio, layer_scale, eps=1e-5, qk_norm=False, rope=None, slowdown=None):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, heads, qk_norm=qk_norm, rope=rope)
        self.ls1 = LayerScale(dim, layer_scale)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, dim * mlp_ratio)
        self.ls2 = LayerScale(dim, layer_scale)
        self.slowdown = slowdown  # a plain object, not a submodule: no parameters
        self.checkpointing = False  # set by model.build_for_training(checkpointing=True)

    def forward(self, x, positions=None):
        if self.checkpointing and torch.is_grad_enabled():
            # Keep only the block's input; recompute its activations in the backward pass.
            return checkpoint(self._forward, x, positions, use_reentrant=False)
        return self._forward(x, positions)

    def _forward(self, x, positions):
        x = x + self.ls1(self.attn(self.norm1(x), positions))
        x = x + self.ls2(self.mlp(self.norm2(x)))
        if self.slowdown is not None:
            self.slowdown(x, x.shape[1])
        return x


def init_transformer(module):
    """ViT-style initialisation (truncated normal 0.02, zero biases) for the Linear layers
    under `module`: random weights of a plausible scale, so activations and the heads'
    exponentials stay in range as they do with trained weights."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)


class DinoEncoder(nn.Module):
    """DINOv2 ViT-L/14 with 4 register tokens, per frame: Conv2d 14x14 patches, a cls token
    plus the learned position embedding (37 x 37, bicubic-resized with antialiasing to
    the input's grid in every forward), the registers, 24 blocks (LayerNorm eps 1e-6,
    LayerScale 1.0, no qk-norm, no RoPE), a final LayerNorm. Returns the patch tokens."""

    def __init__(self, cfg, slowdown):
        super().__init__()
        d = cfg.dim
        self.patch = cfg.patch
        self.registers = cfg.encoder_registers
        self.patch_embed = nn.Conv2d(3, d, kernel_size=cfg.patch, stride=cfg.patch)
        self.cls_token = nn.Parameter(1e-6 * torch.randn(1, 1, d))
        self.register_tokens = nn.Parameter(1e-6 * torch.randn(1, cfg.encoder_registers, d))
        self.mask_token = nn.Parameter(torch.zeros(1, d), requires_grad=False)  # held, never used at inference
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + cfg.pos_embed_grid**2, d))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        self.blocks = nn.ModuleList(
            Block(d, cfg.heads, cfg.mlp_ratio, cfg.encoder_layer_scale, eps=1e-6, slowdown=slowdown)
            for _ in range(cfg.encoder_depth)
        )
        self.norm = nn.LayerNorm(d, eps=1e-6)
        init_transformer(self.blocks)

    def position_embedding(self, rows, cols, dtype):
        """The cls entry and the patch grid resized to rows x cols, computed in fp32."""
        table = self.pos_embed.float()
        side = int(math.sqrt(table.shape[1] - 1))
        if (rows, cols) == (side, side):
            return self.pos_embed
        grid = table[:, 1:].reshape(1, side, side, -1).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(rows, cols), mode="bicubic", antialias=True)
        grid = grid.permute(0, 2, 3, 1).reshape(1, rows * cols, -1)
        return torch.cat([table[:, :1], grid], dim=1).to(dtype)

    def forward(self, images):  # [N, 3, H, W] -> [N, patches, dim]
        rows, cols = images.shape[-2] // self.patch, images.shape[-1] // self.patch
        x = self.patch_embed(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = x + self.position_embedding(rows, cols, x.dtype)
        x = torch.cat([x[:, :1], self.register_tokens.expand(x.shape[0], -1, -1), x[:, 1:]], dim=1)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)[:, 1 + self.registers :]
