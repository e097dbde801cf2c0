"""CPU time of one generator iteration, keras-wgan against the PyTorch loop,
in one process on one thread.

On a machine that other work keeps busy, wall-clock throughput is noise;
the CPU time a process spends on one generator iteration (n_critic critic
updates and one generator update, `time.process_time` after warm-up) is
not. This script runs the plain PyTorch loop of `torch_reference.py` and
keras-wgan (`model.fit`, on the backend `KERAS_BACKEND` selects) in the
same process, each limited to one thread, in interleaved rounds, and
prints the median CPU seconds per generator iteration and the ratio to
PyTorch (PyTorch's time over keras-wgan's: above 1 is faster).

    KERAS_BACKEND=tensorflow python benchmarks/cpu_step.py
    KERAS_BACKEND=jax XLA_FLAGS="--xla_cpu_multi_thread_eigen=false \\
        intra_op_parallelism_threads=1" python benchmarks/cpu_step.py \\
        --variants torch,keras,no-fused-conv --iterations 1 --rounds 3

Variants: `torch` (the PyTorch loop), `keras` (keras-wgan as shipped),
`xla` (keras-wgan compiled with `jit_compile=True`), `no-fused-conv`
(`PaddedConv2D` through `keras.ops` instead of the backend's
`fused_conv2d`) and `no-fused` (both package convolutions through
`keras.ops`): the last two show what the backend's convolutions gain.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

VARIANTS = ("torch", "keras", "xla", "no-fused-conv", "no-fused")


def _keras_runner(model, variant, images, width, n_critic, batch_size):
    import keras

    import keras_wgan
    from keras_wgan import backend

    cls = keras_wgan.WGAN if model == "wgan" else keras_wgan.WGANGP
    gan = cls(keras_wgan.architectures.mnist_critic(width=width),
              keras_wgan.architectures.mnist_generator(width=width),
              n_critic=n_critic, seed=0)
    gan.compile(jit_compile=True if variant == "xla" else "auto")
    off = {"no-fused-conv": ("fused_conv2d",),
           "no-fused": ("fused_conv2d", "fused_conv2d_transpose")}
    off = off.get(variant, ())

    def run(iterations):
        # The layers read the backend's functions when the step is traced
        # (the first fit), which is when they are switched off here.
        saved = {name: getattr(backend, name) for name in off}
        for name in off:
            setattr(backend, name, None)
        try:
            gan.fit(images[:iterations * n_critic * batch_size],
                    batch_size=batch_size, epochs=1, verbose=0)
        finally:
            for name, value in saved.items():
                setattr(backend, name, value)

    run(1)  # traces and compiles the step
    if keras.backend.backend() != "jax":
        run(1)
    return run


def _torch_runner(model, images, width, n_critic, batch_size):
    import torch

    import torch_reference

    torch.manual_seed(0)
    trainer = torch_reference.Trainer(model, width=width, n_critic=n_critic)
    images = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()

    def run(iterations):
        trainer.run(images, iterations, batch_size)

    run(1)
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="wgan,wgan-gp")
    parser.add_argument("--variants", default="torch,keras,no-fused")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-critic", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=2,
                        help="generator iterations a round and variant")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    variants = args.variants.split(",")
    for variant in variants:
        if variant not in VARIANTS:
            raise ValueError(f"--variants must be among {VARIANTS}, got "
                             f"{variant!r}.")

    import keras
    import torch

    import vs_pytorch

    torch.set_num_threads(1)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    images = vs_pytorch._load_images()
    print(f"backend {keras.backend.backend()}, width {args.width}, batch "
          f"{args.batch_size}, n_critic {args.n_critic}; CPU s per "
          f"generator iteration, median of {args.rounds} rounds", flush=True)
    for model in args.models.split(","):
        runners = {}
        for variant in variants:
            if variant == "torch":
                runners[variant] = _torch_runner(
                    model, images, args.width, args.n_critic,
                    args.batch_size)
            else:
                runners[variant] = _keras_runner(
                    model, variant, images, args.width, args.n_critic,
                    args.batch_size)
        seconds = {variant: [] for variant in variants}
        for _ in range(args.rounds):
            for variant in variants:
                start = time.process_time()
                runners[variant](args.iterations)
                seconds[variant].append(
                    (time.process_time() - start) / args.iterations)
        median = {v: statistics.median(s) for v, s in seconds.items()}
        line = "  ".join(f"{v} {median[v]:.3f}" for v in variants)
        if "torch" in median:
            line += "  | ratio to PyTorch: " + "  ".join(
                f"{v} {median['torch'] / median[v]:.2f}"
                for v in variants if v != "torch")
        print(f"{model}: {line}", flush=True)


if __name__ == "__main__":
    main()
