"""The prediction heads of the VGGT-1B benchmark model: the camera head (a transformer
trunk over the frames' camera tokens, refined iteratively with adaLN-style modulation)
and the DPT head (used twice: depth and world points).

Both read the aggregator's outputs, frame-wise and global tokens side by side (2048
channels). In the published model they run with autocast disabled, so in fp32 when the
weights are fp32; model.py does the same.
"""

import torch
import torch.nn.functional as F
from torch import nn

from vggt_layers import Block, Mlp, init_transformer


def _positive_exp(x):  # the confidence activation ("expp1"): 1 + e^x, at least 1
    return 1 + x.exp()


def _signed_expm1(x):  # inverse of sign(x) * log(1 + |x|): world coordinates from the head's output
    return torch.sign(x) * torch.expm1(x.abs())


class CameraHead(nn.Module):
    """Camera tokens of the last aggregator layer -> pose encodings [B, S, 9]
    (translation, quaternion, field of view), one per refinement step.

    Each step embeds the current estimate (a learned empty pose at first), turns it
    into shift / scale / gate for the normalised tokens (adaLN, as in DiT), runs the
    trunk (attention across the frames), and adds a predicted correction. The
    translation and quaternion are left linear, the field of view goes through ReLU.
    """

    def __init__(self, cfg):
        super().__init__()
        d, p = cfg.head_dim, cfg.camera_params
        self.iterations = cfg.camera_iterations
        self.trunk = nn.Sequential(
            *(Block(d, cfg.camera_heads, cfg.mlp_ratio, cfg.aggregator_layer_scale) for _ in range(cfg.camera_trunk_depth))
        )
        self.token_norm = nn.LayerNorm(d)
        self.trunk_norm = nn.LayerNorm(d)
        self.empty_pose = nn.Parameter(torch.zeros(1, 1, p))
        self.embed_pose = nn.Linear(p, d)
        self.modulation = nn.Sequential(nn.SiLU(), nn.Linear(d, 3 * d))
        self.adaln_norm = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.pose_branch = Mlp(d, d // 2, p)
        init_transformer(self)

    def forward(self, layers):
        tokens = self.token_norm(layers[-1][:, :, 0])  # [B, S, 2048]: the camera token of each frame
        b, s, _ = tokens.shape
        estimate, steps = None, []
        for _ in range(self.iterations):
            source = self.empty_pose.expand(b, s, -1) if estimate is None else estimate.detach()
            shift, scale, gate = self.modulation(self.embed_pose(source)).chunk(3, dim=-1)
            x = tokens + gate * (self.adaln_norm(tokens) * (1 + scale) + shift)
            delta = self.pose_branch(self.trunk_norm(self.trunk(x)))
            estimate = delta if estimate is None else estimate + delta
            steps.append(torch.cat([estimate[..., :7], F.relu(estimate[..., 7:])], dim=-1))
        return steps


class ResidualUnit(nn.Module):
    """ReLU, conv 3x3, ReLU, conv 3x3, plus the input. The ReLUs are in place, as in the
    published head, so the skip adds the rectified input (and no copy is allocated)."""

    def __init__(self, f):
        super().__init__()
        self.conv1 = nn.Conv2d(f, f, 3, padding=1)
        self.conv2 = nn.Conv2d(f, f, 3, padding=1)

    def forward(self, x):
        x = F.relu(x, inplace=True)
        return self.conv2(F.relu(self.conv1(x), inplace=True)) + x


def resize(x, size):
    """Bilinear resize (align_corners), split along the batch when the output would pass
    the element count the published head guards against (1.5 * 2^30)."""
    limit = 1_610_612_736
    elements = size[0] * size[1] * x.shape[0] * x.shape[1]
    if elements <= limit:
        return F.interpolate(x, size=size, mode="bilinear", align_corners=True)
    parts = x.chunk(elements // limit + 1, dim=0)
    return torch.cat([F.interpolate(p, size=size, mode="bilinear", align_corners=True) for p in parts]).contiguous()


class Fusion(nn.Module):
    """One refinement stage: (x + unit(skip)), a residual unit, upsample, a 1x1 conv."""

    def __init__(self, f, with_skip=True):
        super().__init__()
        self.skip_unit = ResidualUnit(f) if with_skip else None
        self.unit = ResidualUnit(f)
        self.out = nn.Conv2d(f, f, 1)

    def forward(self, x, skip=None, size=None):
        if self.skip_unit is not None:
            x = x + self.skip_unit(skip)
        x = self.unit(x)
        size = size or (2 * x.shape[-2], 2 * x.shape[-1])
        return self.out(resize(x, size))


def uv_embedding(rows, cols, channels, aspect, dtype, device, scale=0.1):
    """A fixed sine-cosine embedding of normalised image coordinates, [channels, rows, cols],
    added to the head's feature maps: x and y each take half the channels, base 100;
    the grid spans the image diagonal (MoGe-style uv). Computed in float64, returned fp32."""
    diagonal = (aspect**2 + 1) ** 0.5
    span_x, span_y = aspect / diagonal, 1 / diagonal
    u = torch.linspace(-span_x * (cols - 1) / cols, span_x * (cols - 1) / cols, cols, dtype=dtype, device=device)
    v = torch.linspace(-span_y * (rows - 1) / rows, span_y * (rows - 1) / rows, rows, dtype=dtype, device=device)
    half = channels // 2
    omega = 1.0 / 100.0 ** (torch.arange(half // 2, dtype=torch.float64, device=device) / (half / 2))

    def waves(coord):  # [n] -> [n, half]
        angle = coord.to(torch.float64)[:, None] * omega
        return torch.cat([angle.sin(), angle.cos()], dim=-1)

    by_x = waves(u)[None, :, :].expand(rows, -1, -1)
    by_y = waves(v)[:, None, :].expand(-1, cols, -1)
    return (scale * torch.cat([by_x, by_y], dim=-1).float()).permute(2, 0, 1)


class DPTHead(nn.Module):
    """Dense prediction from four aggregator layers (4, 11, 17, 23), DPT-style.

    Per layer: LayerNorm over the patch tokens, a 1x1 projection to 256/512/1024/1024
    channels plus the uv embedding, then resampling to 4x, 2x, 1x and 1/2x the patch
    grid. A 3x3 conv brings each to 256 channels; four fusion stages merge them from
    the coarsest up, to twice the finest grid; a 3x3 conv halves the channels, a resize
    to the full image, the uv embedding again, conv 3x3 -> 32, ReLU, conv 1x1 -> outputs.
    The last channel is the confidence (1 + e^x); the others are exp(x) for depth, or
    sign(x)(e^|x| - 1) for world points. Frames go through in chunks of 8.
    """

    def __init__(self, cfg, outputs, activation):
        super().__init__()
        d, f, c = cfg.head_dim, cfg.dpt_features, cfg.dpt_channels
        self.cfg, self.activation = cfg, activation
        self.norm = nn.LayerNorm(d)
        self.projections = nn.ModuleList(nn.Conv2d(d, ci, 1) for ci in c)
        self.resamplers = nn.ModuleList(
            [
                nn.ConvTranspose2d(c[0], c[0], kernel_size=4, stride=4),
                nn.ConvTranspose2d(c[1], c[1], kernel_size=2, stride=2),
                nn.Identity(),
                nn.Conv2d(c[3], c[3], kernel_size=3, stride=2, padding=1),
            ]
        )
        self.to_features = nn.ModuleList(nn.Conv2d(ci, f, 3, padding=1, bias=False) for ci in c)
        self.fusions = nn.ModuleList([Fusion(f), Fusion(f), Fusion(f), Fusion(f, with_skip=False)])  # finest first
        self.out_conv1 = nn.Conv2d(f, f // 2, 3, padding=1)
        self.out_conv2 = nn.Conv2d(f // 2, cfg.dpt_out_hidden, 3, padding=1)
        self.out_conv3 = nn.Conv2d(cfg.dpt_out_hidden, outputs, 1)

    def forward(self, layers, images, start):
        """layers: the aggregator's outputs [B, S, tokens, 2048]; start: index of the first patch token."""
        s, chunk = images.shape[1], self.cfg.dpt_frames_chunk
        if not chunk or chunk >= s:
            return self._frames(layers, images, start, 0, s)
        parts = [self._frames(layers, images, start, i, min(i + chunk, s)) for i in range(0, s, chunk)]
        return torch.cat([p[0] for p in parts], dim=1), torch.cat([p[1] for p in parts], dim=1)

    def _frames(self, layers, images, start, first, last):
        b, n = images.shape[0], last - first
        h, w = images.shape[-2:]
        rows, cols = h // self.cfg.patch, w // self.cfg.patch
        maps = []
        for i, layer in enumerate(self.cfg.dpt_layers):
            x = self.norm(layers[layer][:, first:last, start:].reshape(b * n, rows * cols, -1))
            x = self.projections[i](x.permute(0, 2, 1).reshape(b * n, -1, rows, cols))
            x = self._with_uv(x, w / h)
            maps.append(self.resamplers[i](x))
        maps = [conv(m) for conv, m in zip(self.to_features, maps)]
        x = self.fusions[3](maps[3], size=maps[2].shape[2:])
        x = self.fusions[2](x, maps[2], size=maps[1].shape[2:])
        x = self.fusions[1](x, maps[1], size=maps[0].shape[2:])
        x = self.fusions[0](x, maps[0])
        x = resize(self.out_conv1(x), (rows * self.cfg.patch, cols * self.cfg.patch))
        x = self.out_conv3(F.relu(self.out_conv2(self._with_uv(x, w / h)), inplace=True))
        x = x.permute(0, 2, 3, 1)  # [b*n, H, W, outputs]
        values = x[..., :-1].exp() if self.activation == "exp" else _signed_expm1(x[..., :-1])
        confidence = _positive_exp(x[..., -1])
        return values.reshape(b, n, *values.shape[1:]), confidence.reshape(b, n, *confidence.shape[1:])

    @staticmethod
    def _with_uv(x, aspect):
        # The embedding is fp32; cast to the maps' dtype so a uniform bf16 run stays bf16
        # (a no-op in the published numerics, where the heads run in fp32).
        uv = uv_embedding(x.shape[-2], x.shape[-1], x.shape[1], aspect, x.dtype, x.device)
        return x + uv.to(x.dtype)
