"""Convolutions with explicit symmetric padding, fused on the torch backend.

`keras.layers.Conv2D` and `Conv2DTranspose` cost the torch backend extra
passes over every activation: a separate bias addition (and its gradient),
an asymmetric zero-padding copy for "same" convolutions with stride 2, and
for transposed convolutions an uncropped output that is then sliced (plus
the crop layer the MNIST generator needed to get 7x7). The two layers here
take a PyTorch-style symmetric `padding` (and `output_padding`), which one
fused `torch.nn.functional.conv2d` / `conv_transpose2d` call with bias
computes directly; on JAX and TensorFlow they are composed from `keras.ops`
(pad + convolution, convolution + slice), with the same result.

Images stay channels-last `(batch, H, W, C)` at the layer boundary on every
backend, which torch sees as NCHW tensors in its channels-last memory
format. Kernels are stored on every backend in the matching layout:
`(filters, k, k, in_channels)` for a convolution and `(in_channels, k, k,
filters)` for a transposed one, which torch sees as its own kernel layout
in channels-last memory format. Stored in Keras's layout instead, a kernel
is copied in every forward pass, and the critic, whose one-channel input
torch cannot tell from NCHW, ran all its convolutions in torch's slower NCHW
path. JAX and TensorFlow transpose the kernel to Keras's layout inside the
compiled step. Weights and `.keras` files move
between backends.
"""

from typing import Any

import keras
from keras import ops

from keras_wgan import backend
from keras_wgan.tensor_types import Tensor

# Axis orders between Keras's kernel layout (kernel height, kernel width,
# input or output channels, the other channels) and the stored one (the
# last Keras axis first, then Keras's first three axes); the same
# permutation for convolutions and transposed convolutions.
_KERAS_TO_STORED = (3, 0, 1, 2)
_STORED_TO_KERAS = (1, 2, 3, 0)


def _check_size(name, value, minimum):
    # bool is an int subclass; True as a kernel size is a mistake.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}.")
    return value


class _PaddedConv(keras.layers.Layer):
    """Weights, config and checks shared by the two convolutions."""

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        strides: int = 1,
        padding: int = 0,
        kernel_initializer: str | keras.initializers.Initializer
        = "glorot_uniform",
        bias_initializer: str | keras.initializers.Initializer = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = _check_size("filters", filters, 1)
        size = _check_size("kernel_size", kernel_size, 1)
        stride = _check_size("strides", strides, 1)
        pad = _check_size("padding", padding, 0)
        # Tuples, as on keras.layers.Conv2D, for code that inspects layers.
        self.kernel_size = (size, size)
        self.strides = (stride, stride)
        self.padding = (pad, pad)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def _keras_kernel_shape(self, in_channels):
        raise NotImplementedError

    def _keras_kernel(self):
        """The kernel in Keras's layout, for `keras.ops` convolutions."""
        return ops.transpose(self.kernel, _STORED_TO_KERAS)

    def build(self, input_shape: tuple) -> None:
        in_channels = input_shape[-1]
        if in_channels is None:
            raise ValueError(
                f"{type(self).__name__} needs a known channel count (last "
                f"axis), got input shape {input_shape}."
            )
        keras_shape = self._keras_kernel_shape(in_channels)

        def initializer(shape, dtype=None):
            # Keras initializers read fan-in and fan-out from Keras's layout
            # (kernel axes first), so draw in it and transpose.
            del shape
            kernel = ops.transpose(
                self.kernel_initializer(keras_shape, dtype=dtype),
                _KERAS_TO_STORED,
            )
            # torch's transpose is a strided view that the variable would
            # keep as its memory layout; flattening copies it into the
            # stored order (a no-op for JAX and TensorFlow values).
            return ops.reshape(ops.reshape(kernel, (-1,)), kernel.shape)

        self.kernel = self.add_weight(
            name="kernel",
            shape=tuple(keras_shape[i] for i in _KERAS_TO_STORED),
            initializer=initializer,
        )
        self.bias = self.add_weight(
            name="bias",
            shape=(self.filters,),
            initializer=self.bias_initializer,
        )
        self.input_spec = keras.layers.InputSpec(
            ndim=4, axes={-1: in_channels}
        )

    def _output_size(self, size):
        raise NotImplementedError

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        batch, height, width, _ = input_shape
        return (
            batch,
            None if height is None else self._output_size(height),
            None if width is None else self._output_size(width),
            self.filters,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size[0],
                "strides": self.strides[0],
                "padding": self.padding[0],
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "bias_initializer": keras.initializers.serialize(
                    self.bias_initializer
                ),
            }
        )
        return config


@keras.saving.register_keras_serializable(package="keras_wgan")
class PaddedConv2D(_PaddedConv):
    """2D convolution with `padding` zeros on every side, channels-last.

    The output size is `(size + 2 * padding - kernel_size) // strides + 1`,
    as for `torch.nn.Conv2d`. It equals `keras.layers.ZeroPadding2D(padding)`
    followed by `keras.layers.Conv2D(..., padding="valid")` with the same
    weights, computed as one fused convolution with bias on torch.

    Args:
        filters: Output channels, an int >= 1.
        kernel_size: Side of the square kernel, an int >= 1.
        strides: Stride in both directions, an int >= 1.
        padding: Zeros added before and after each spatial axis, an int >= 0.
        kernel_initializer: Initializer as for `keras.layers.Conv2D`; the
            kernel is stored as `(filters, kernel_size, kernel_size,
            in_channels)`, a transpose of Keras's.
        bias_initializer: Initializer for the bias `(filters,)`.
        **kwargs: Passed to `keras.layers.Layer` (`name`, `dtype`, ...).

    Returns:
        Called on `(batch, H, W, C)` images, a tensor
        `(batch, H', W', filters)`.

    Example:

    >>> layer = PaddedConv2D(8, 5, strides=2, padding=2)
    >>> keras.ops.shape(layer(np.zeros((1, 28, 28, 1), "float32")))
    (1, 14, 14, 8)
    """

    def _keras_kernel_shape(self, in_channels):
        return self.kernel_size + (in_channels, self.filters)

    def _output_size(self, size):
        span = size + 2 * self.padding[0] - self.kernel_size[0]
        if span < 0:
            raise ValueError(
                f"{self.name}: an input side of {size} plus padding "
                f"{self.padding[0]} is smaller than kernel_size "
                f"{self.kernel_size[0]}."
            )
        return span // self.strides[0] + 1

    def call(self, inputs: Tensor) -> Tensor:
        fused = backend.fused_conv2d
        if fused is not None:
            return fused(
                inputs, self.kernel, self.bias, self.strides[0],
                self.padding[0],
            )
        pad = self.padding[0]
        x = ops.pad(inputs, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
        x = ops.conv(
            x, self._keras_kernel(), strides=self.strides, padding="valid"
        )
        return ops.add(x, self.bias)


@keras.saving.register_keras_serializable(package="keras_wgan")
class PaddedConv2DTranspose(_PaddedConv):
    """2D transposed convolution with PyTorch's `padding` and `output_padding`.

    The output size is `(size - 1) * strides - 2 * padding + kernel_size +
    output_padding`, as for `torch.nn.ConvTranspose2d`: the full transposed
    convolution with `padding` rows and columns cut from the start of each
    spatial axis and `padding - output_padding` from the end. It equals
    `keras.layers.Conv2DTranspose(..., padding="valid")` followed by that
    `keras.layers.Cropping2D`, with the transposed weights; on torch it is one
    fused call that never computes the cut border.

    Args:
        filters: Output channels, an int >= 1.
        kernel_size: Side of the square kernel, an int >= 1.
        strides: Stride in both directions, an int >= 1.
        padding: Cut from both ends of each spatial axis, an int >= 0.
        output_padding: Given back at the end of each axis, an int with
            `0 <= output_padding < max(strides, 1)` and `<= padding`.
        kernel_initializer: Initializer as for
            `keras.layers.Conv2DTranspose`; the kernel is stored as
            `(in_channels, kernel_size, kernel_size, filters)`, a
            transpose of Keras's.
        bias_initializer: Initializer for the bias `(filters,)`.
        **kwargs: Passed to `keras.layers.Layer`.

    Returns:
        Called on `(batch, H, W, C)`, a tensor `(batch, H', W', filters)`.

    Example:

    >>> layer = PaddedConv2DTranspose(8, 5, strides=2, padding=2)  # 4 -> 7
    >>> keras.ops.shape(layer(np.zeros((1, 4, 4, 16), "float32")))
    (1, 7, 7, 8)
    """

    def __init__(
        self, filters: int, kernel_size: int, strides: int = 1,
        padding: int = 0, output_padding: int = 0, **kwargs: Any,
    ) -> None:
        super().__init__(filters, kernel_size, strides, padding, **kwargs)
        extra = _check_size("output_padding", output_padding, 0)
        if extra >= self.strides[0] or extra > self.padding[0]:
            raise ValueError(
                f"output_padding must be smaller than strides "
                f"({self.strides[0]}) and at most padding "
                f"({self.padding[0]}), got {extra}."
            )
        self.output_padding = (extra, extra)

    def build(self, input_shape: tuple) -> None:
        if None in tuple(input_shape[1:3]):
            # The crop on JAX and TensorFlow is computed from these sizes.
            raise ValueError(
                f"{type(self).__name__} needs known spatial sizes, got input "
                f"shape {input_shape}."
            )
        super().build(input_shape)

    def _keras_kernel_shape(self, in_channels):
        # Keras's transposed-convolution layout: output channels third.
        return self.kernel_size + (self.filters, in_channels)

    def _output_size(self, size):
        full = (size - 1) * self.strides[0] + self.kernel_size[0]
        out = full - 2 * self.padding[0] + self.output_padding[0]
        if out < 1:
            raise ValueError(
                f"{self.name}: padding {self.padding[0]} leaves no output "
                f"for an input side of {size}."
            )
        return out

    def call(self, inputs: Tensor) -> Tensor:
        fused = backend.fused_conv2d_transpose
        if fused is not None:
            return fused(
                inputs, self.kernel, self.bias, self.strides[0],
                self.padding[0], self.output_padding[0],
            )
        x = ops.conv_transpose(
            inputs, self._keras_kernel(), strides=self.strides,
            padding="valid",
        )
        start = self.padding[0]
        height = self._output_size(inputs.shape[1])
        width = self._output_size(inputs.shape[2])
        x = x[:, start : start + height, start : start + width, :]
        return ops.add(x, self.bias)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["output_padding"] = self.output_padding[0]
        return config
