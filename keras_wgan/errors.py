"""Exceptions raised by keras_wgan beyond Python's own."""

__all__ = ["NonFiniteError"]


class NonFiniteError(FloatingPointError):
    """Training produced a NaN or an infinity; the message says where.

    Raised by `keras_wgan.callbacks.TerminateOnNonFinite` for a logged
    quantity and by `keras_wgan.callbacks.Checkpoint` for a weight, before
    anything is saved.
    """
