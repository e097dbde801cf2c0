"""A strided transposed convolution computed as a sub-pixel convolution.

A transposed convolution with stride `s` spreads each input pixel over an
`s`-times larger grid. Output pixel `s * m + c` (phase `c` of cell `m`,
per axis) only ever meets the kernel taps `c, c + s, c + 2s, ...`, so each
of the `s * s` phases is an ordinary stride-1 convolution of the input
with a sub-kernel of `ceil(k / s)` taps per axis. Stacking the phases as
output channels gives one stride-1 convolution to `s * s * filters`
channels, and a depth-to-space rearrangement interleaves them into the
full transposed-convolution output, from which the padding is cut. This
is the "sub-pixel convolution" of Shi et al. (2016), here with the kernel
rearranged so that the result equals the transposed convolution exactly.

XLA on the CPU differentiates a strided transposed convolution much more
slowly than a stride-1 convolution, so the JAX backend computes
`keras_wgan.nets.layers.PaddedConv2DTranspose` this way. Written with
`keras.ops`, it runs on every backend (the tests compare it there).
"""

from keras import ops

from keras_wgan.tensor_types import Tensor


def conv2d_transpose(inputs: Tensor, kernel: Tensor, bias: Tensor | None,
                     stride: int, padding: int,
                     output_padding: int) -> Tensor:
    """Channels-last transposed convolution with PyTorch's padding and bias.

    Args:
        inputs: `(batch, H, W, C)` tensor.
        kernel: `(C, k, k, filters)`, the layout of
            `PaddedConv2DTranspose` (torch's `(C, filters, k, k)` with the
            channels last).
        bias: `(filters,)`.
        stride: Int stride.
        padding: Int border cut from both ends of each spatial axis.
        output_padding: Int given back at the end of each axis.

    Returns:
        `(batch, H', W', filters)` tensor, `H' = (H - 1) * stride - 2 *
        padding + k + output_padding`.

    Example:

    >>> x = np.ones((1, 4, 4, 2), "float32")
    >>> kernel = np.ones((2, 5, 5, 3), "float32")
    >>> y = conv2d_transpose(x, kernel, np.zeros(3, "float32"), 2, 2, 0)
    >>> keras.ops.shape(y)
    (1, 7, 7, 3)
    """
    in_channels, size, _, filters = kernel.shape
    taps = -(-size // stride)  # sub-kernel taps per axis, ceil(k / s)
    # Tap t = a * s + c of the kernel: zero taps make k a multiple of s.
    extra = taps * stride - size
    kernel = ops.pad(kernel, ((0, 0), (0, extra), (0, extra), (0, 0)))
    kernel = ops.reshape(
        kernel, (in_channels, taps, stride, taps, stride, filters))
    # A correlation reads the input forwards, the transposed convolution
    # meets its taps backwards: reverse the tap index a.
    kernel = ops.flip(kernel, axis=(1, 3))
    kernel = ops.transpose(kernel, (1, 3, 0, 2, 4, 5))
    kernel = ops.reshape(
        kernel, (taps, taps, in_channels, stride * stride * filters))
    x = ops.pad(inputs, ((0, 0), (taps - 1, taps - 1), (taps - 1, taps - 1),
                         (0, 0)))
    x = ops.conv(x, kernel, strides=1, padding="valid")
    batch = ops.shape(x)[0]
    cells_h, cells_w = x.shape[1], x.shape[2]
    # Depth to space: phase (c_h, c_w) of cell (m_h, m_w) is output pixel
    # (s * m_h + c_h, s * m_w + c_w) of the full transposed convolution.
    x = ops.reshape(x, (batch, cells_h, cells_w, stride, stride, filters))
    x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
    x = ops.reshape(
        x, (batch, cells_h * stride, cells_w * stride, filters))
    height = (inputs.shape[1] - 1) * stride + size - 2 * padding \
        + output_padding
    width = (inputs.shape[2] - 1) * stride + size - 2 * padding \
        + output_padding
    x = x[:, padding:padding + height, padding:padding + width, :]
    return ops.add(x, bias)
