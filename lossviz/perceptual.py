r"""Perceptual losses: images compared through the features of a fixed network.

Images follow PyTorch's layout, ``(N, C, H, W)``. A *feature extractor* is any
callable that maps such a batch to one feature map ``(N, C_j, H_j, W_j)`` or a
sequence of them (one per layer :math:`j`); it stays fixed while the loss is
minimised. The losses follow Johnson et al.'s definitions; the book's small
extractor, :func:`edge_extractor`, needs no download: oriented edge filters,
ReLU and max pooling, the first stage of a VGG-like network built by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F

from ._checks import Reduction, as_float, check_reduction, positive_int, reduce, same_shape, scalar_in_range

__all__ = ["edge_filters", "edge_extractor", "perceptual_loss", "gram_matrix", "style_loss"]

Features = Callable[[torch.Tensor], "torch.Tensor | Sequence[torch.Tensor]"]


def _images(pred: Any, target: Any) -> tuple[torch.Tensor, torch.Tensor]:
    x = as_float(pred, "pred")
    y = as_float(target, "target", like=x)
    same_shape(x, y, "pred", "target")
    if x.ndim != 4:
        raise ValueError(f"pred must be a batch of images (N, C, H, W), got shape {tuple(x.shape)}")
    return x, y


def _layers(features: Features, images: torch.Tensor) -> list[torch.Tensor]:
    if not callable(features):
        raise ValueError(f"features must be callable, got {type(features).__name__}")
    out = features(images)
    maps = [out] if isinstance(out, torch.Tensor) else list(out)
    if not maps or not all(isinstance(m, torch.Tensor) and m.ndim >= 2 for m in maps):
        raise ValueError("features must return a tensor or a non-empty sequence of tensors of shape (N, ...)")
    if any(m.shape[0] != images.shape[0] for m in maps):
        raise ValueError("features must keep the batch dimension N of its input")
    return maps


def _layer_weights(weights: Sequence[float] | None, n_layers: int) -> list[float]:
    if weights is None:
        return [1.0] * n_layers
    w = [scalar_in_range(v, "weights", lo=0.0) for v in weights]
    if len(w) != n_layers:
        raise ValueError(f"weights must hold one weight per feature layer ({n_layers}), got {len(w)}")
    return w


def edge_filters(n_orientations: int = 8, *, sigma: float = 1.0, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""Oriented first-derivative-of-Gaussian filters, one per direction.

    .. math::

        k_\theta(u, v) = -\frac{u\cos\theta + v\sin\theta}{\sigma^2}
            \, e^{-(u^2 + v^2) / 2\sigma^2},
        \qquad \theta = \frac{2\pi k}{K},\ k = 0, \dots, K - 1

    on a square grid of half-width :math:`\lceil 3\sigma \rceil`, scaled so that
    each filter's positive taps sum to 1. Directions cover the full circle, so a
    dark-to-light edge and a light-to-dark one excite different filters: after a
    ReLU, no polarity is lost. Each filter sums to 0, so a constant image gives no
    response.

    Args:
        n_orientations: :math:`K \ge 1`, the number of directions.
        sigma: :math:`\sigma > 0`, the scale of the Gaussian in pixels.
        dtype: the filters' floating dtype.

    Returns:
        Convolution weights of shape ``(K, 1, S, S)`` for one-channel images.

    Reference:
        W. T. Freeman, E. H. Adelson, "The Design and Use of Steerable Filters",
        IEEE TPAMI, 1991.
    """
    k = positive_int(n_orientations, "n_orientations")
    s = scalar_in_range(sigma, "sigma", lo=0.0, lo_open=True)
    half = math.ceil(3 * s)
    u = torch.arange(-half, half + 1, dtype=dtype)
    v, u = torch.meshgrid(u, u, indexing="ij")  # v runs down the rows, u along them
    theta = 2 * math.pi * torch.arange(k, dtype=dtype) / k
    along = u * theta.cos()[:, None, None] + v * theta.sin()[:, None, None]
    taps = -along / s**2 * torch.exp(-(u**2 + v**2) / (2 * s**2))
    # The sampled filter is odd, so it sums to 0 exactly up to rounding.
    taps = taps / taps.clamp(min=0).sum((1, 2), keepdim=True)
    return taps.unsqueeze(1)


def edge_extractor(n_orientations: int = 8, *, sigma: float = 0.75, pools: Sequence[int] = (8,)) -> Features:
    r"""A fixed two-stage feature extractor: oriented edges, ReLU, max pooling.

    For a one-channel image :math:`x`, layer :math:`j` is

    .. math::

        \phi_j(x) = \operatorname{maxpool}_{p_j}\bigl(\operatorname{ReLU}(k * x)\bigr)

    with the :func:`edge_filters` :math:`k` and :math:`p_j \times p_j` max
    pooling windows that overlap by half (stride :math:`p_j / 2`, as AlexNet's
    overlapping pooling; :math:`p_j = 1`: no pooling). Convolution and pooling
    pad circularly, so a circular shift of the image by a multiple of the stride
    shifts the features the same way. Max pooling keeps the strongest response
    in each window: a shift of a pixel or two inside a window changes little,
    while a blur, which lowers every edge response, shows.

    Args:
        n_orientations: the number of edge directions :math:`K`.
        sigma: the filters' scale in pixels.
        pools: one window size :math:`p_j \ge 1` per returned layer, 1 or even.

    Returns:
        A function from images ``(N, 1, H, W)`` to a list of feature maps, layer
        :math:`j` of shape ``(N, K, 2H / p_j, 2W / p_j)`` (``(N, K, H, W)`` for
        :math:`p_j = 1`), when :math:`p_j / 2` divides :math:`H` and :math:`W`.

    Reference: the first stage of VGG (K. Simonyan, A. Zisserman, "Very Deep
    Convolutional Networks for Large-Scale Image Recognition", ICLR 2015), with
    fixed instead of learned filters.
    """
    sizes = [positive_int(p, "pools") for p in pools]
    if not sizes or any(p > 1 and p % 2 for p in sizes):
        raise ValueError(f"pools must hold at least one window size, each 1 or even, got {list(pools)}")
    filters = edge_filters(n_orientations, sigma=sigma)
    half = filters.shape[-1] // 2

    def features(images: torch.Tensor) -> list[torch.Tensor]:
        if images.ndim != 4 or images.shape[1] != 1:
            raise ValueError(f"images must have shape (N, 1, H, W), got {tuple(images.shape)}")
        k = filters.to(images.dtype).to(images.device)
        edges = F.relu(F.conv2d(F.pad(images, (half,) * 4, mode="circular"), k))
        return [edges if p == 1 else _max_pool(edges, p) for p in sizes]

    return features


def _max_pool(maps: torch.Tensor, size: int) -> torch.Tensor:
    stride = size // 2
    before, after = (size - stride) // 2, size - stride - (size - stride) // 2
    return F.max_pool2d(F.pad(maps, (before, after) * 2, mode="circular"), size, stride)


def perceptual_loss(
    pred: Any,
    target: Any,
    features: Features,
    *,
    weights: Sequence[float] | None = None,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    r"""Feature reconstruction (perceptual) loss: squared error between features.

    .. math::

        L_i = \sum_j \frac{w_j}{C_j H_j W_j}
              \bigl\lVert \phi_j(\hat y_i) - \phi_j(y_i) \bigr\rVert_2^2

    with :math:`\phi_j` the feature map of layer :math:`j` of a fixed network.
    With the identity as the only layer it is the pixel MSE, ``F.mse_loss``.

    Args:
        pred: predicted images :math:`\hat y`, shape ``(N, C, H, W)``.
        target: target images :math:`y`, same shape.
        features: the fixed extractor :math:`\phi`: images to one feature map
            ``(N, ...)`` or a sequence of them.
        weights: one non-negative :math:`w_j` per layer; all 1 by default.
        reduction: ``"none"`` (one value per image), ``"mean"`` or ``"sum"``.

    Returns:
        The loss; shape ``(N,)`` for ``"none"``, else a scalar.

    Reference:
        J. Johnson, A. Alahi, L. Fei-Fei, "Perceptual Losses for Real-Time Style
        Transfer and Super-Resolution", ECCV 2016 (their :math:`\ell_{feat}`, with
        VGG-16's relu2_2 as :math:`\phi`).

    Convention: each layer's squared error is averaged over its elements, as in
    Johnson et al. and in ``F.mse_loss``; no library ships this loss.
    """
    x, y = _images(pred, target)
    check_reduction(reduction)
    # One pass through the extractor for both images: what batch norm or any
    # per-batch statistic inside it sees is the same for both.
    maps = _layers(features, torch.cat([x, y]))
    w = _layer_weights(weights, len(maps))
    n = x.shape[0]
    loss = sum(wj * (m[:n] - m[n:]).pow(2).flatten(1).mean(1) for wj, m in zip(w, maps))
    return reduce(loss, reduction)


def gram_matrix(feature_map: Any) -> torch.Tensor:
    r"""Gram matrix of a feature map: which channels fire together.

    .. math::

        G_{cc'} = \frac{1}{C H W} \sum_{h, w} \phi_{c, h, w}\, \phi_{c', h, w}

    It sums over positions, so it forgets where anything is: a circular shift
    of the image (with a circularly padded extractor) leaves it unchanged.

    Args:
        feature_map: shape ``(N, C, H, W)``.

    Returns:
        Shape ``(N, C, C)``.

    Reference:
        L. A. Gatys, A. S. Ecker, M. Bethge, "Image Style Transfer Using
        Convolutional Neural Networks", CVPR 2016; normalised by :math:`CHW` as in
        Johnson et al., ECCV 2016.
    """
    f = as_float(feature_map, "feature_map")
    if f.ndim != 4:
        raise ValueError(f"feature_map must have shape (N, C, H, W), got {tuple(f.shape)}")
    n, c, h, w = f.shape
    flat = f.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def style_loss(
    pred: Any,
    target: Any,
    features: Features,
    *,
    weights: Sequence[float] | None = None,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    r"""Style reconstruction loss: squared Frobenius distance between Gram matrices.

    .. math::

        L_i = \sum_j w_j \bigl\lVert G_j(\hat y_i) - G_j(y_i) \bigr\rVert_F^2

    with :math:`G_j` the :func:`gram_matrix` of layer :math:`j` of the fixed
    extractor. It compares textures, not layouts.

    Args:
        pred: predicted images :math:`\hat y`, shape ``(N, C, H, W)``.
        target: target (style) images :math:`y`, same shape.
        features: the fixed extractor, as in :func:`perceptual_loss`; each layer
            must be a 4-D map ``(N, C_j, H_j, W_j)``.
        weights: one non-negative :math:`w_j` per layer; all 1 by default.
        reduction: ``"none"`` (one value per image), ``"mean"`` or ``"sum"``.

    Returns:
        The loss; shape ``(N,)`` for ``"none"``, else a scalar.

    Reference:
        J. Johnson, A. Alahi, L. Fei-Fei, ECCV 2016 (their :math:`\ell_{style}`),
        after L. A. Gatys, A. S. Ecker, M. Bethge, CVPR 2016, whose per-layer
        :math:`1/(4 C^2 (HW)^2)` on unnormalised Gram matrices equals this one
        with :math:`w_j = 1/4`.

    Convention: Johnson et al.'s; the target need not have the prediction's
    size in their paper, but here ``pred`` and ``target`` share one shape.
    """
    x, y = _images(pred, target)
    check_reduction(reduction)
    maps = _layers(features, torch.cat([x, y]))
    w = _layer_weights(weights, len(maps))
    n = x.shape[0]
    loss = 0
    for wj, m in zip(w, maps):
        g = gram_matrix(m)
        loss = loss + wj * (g[:n] - g[n:]).pow(2).sum((1, 2))
    return reduce(loss, reduction)
