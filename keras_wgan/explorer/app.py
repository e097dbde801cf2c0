"""The explorer's web page, built with Gradio (`pip install
keras-wgan[explore]`).

`build_app(explorer, title)` lays out the page over an
`keras_wgan.explorer.session.Explorer`; `serve` starts it. Gradio is
imported when the page is built, so the rest of the package never needs it.
Images go to the page as PNG files (lossless), so what the page shows are
the generator's pixels.
"""

import os
from types import ModuleType
from typing import Any

import numpy as np

from keras_wgan.explorer.session import NUM_SAMPLES
from keras_wgan.explorer.session import Explorer
from keras_wgan.explorer.session import pixels
from keras_wgan.image_grids import image_grid

#: Where the page listens unless told otherwise: this machine only.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Small images drawn as blocks of pixels, not blurred, when scaled up.
_CSS = "img { image-rendering: pixelated; }"
_INSTALL = "pip install keras-wgan[explore]"


def import_gradio() -> ModuleType:
    """Returns the gradio module, or raises a one-line `ImportError`."""
    # No usage statistics sent from a local tool.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        import gradio
    except ImportError as error:
        raise ImportError(f"explore needs gradio ({_INSTALL}); importing it "
                          f"failed: {error}") from None
    return gradio


def _grid_pixels(images, columns=None):
    grid = image_grid(images, columns=columns)
    return grid if grid.shape[-1] == 3 else np.repeat(grid, 3, axis=-1)


def build_app(explorer: Explorer, title: str) -> Any:
    """Returns the Gradio `Blocks` of the explorer page.

    Args:
        explorer: A `keras_wgan.explorer.session.Explorer`.
        title: The heading, e.g. `"pretrained mnist-wgan-gp"`.
    """
    gr = import_gradio()

    def guarded(function, outputs):
        """Runs `function`; on bad input shows the message and leaves the
        other outputs as they were."""

        def run(*args):
            try:
                return (*function(*args), "")
            except ValueError as error:
                return (*[gr.update()] * outputs, f"**Error:** {error}")

        return run

    conditional = explorer.num_classes is not None
    described = (f"# {title}\n{type(explorer.model).__name__}, latent size "
                 f"{explorer.latent_dim}")
    if conditional:
        described += f", {explorer.num_classes} classes"
    with gr.Blocks(title=f"keras-wgan explorer: {title}") as app:
        gr.Markdown(described)
        message = gr.Markdown("", elem_id="message")
        state = gr.State(None)  # the shown samples, for the neighbours
        with gr.Tab("Samples"):
            with gr.Row():
                seed = gr.Number(0, label="Seed", precision=None,
                                 elem_id="seed")
                new_seed = gr.Button("New seed", elem_id="new-seed")
                label = gr.Number(0, label="Class", precision=None,
                                  visible=conditional, elem_id="class")
            samples = gr.Gallery(label="Samples, with the critic's score "
                                 "(click one for its nearest training "
                                 "images)", columns=8, format="png",
                                 allow_preview=False, elem_id="samples",
                                 height="auto")
            nearest = gr.Gallery(label="Nearest training images (their "
                                 "index: pixel distance)", columns=8, format="png",
                                 allow_preview=False, elem_id="nearest",
                                 height="auto")
            with gr.Row():
                vector = gr.Textbox(label=f"A latent vector ("
                                    f"{explorer.latent_dim} numbers)",
                                    elem_id="vector")
                from_vector = gr.Button("Generate from the vector",
                                        elem_id="from-vector")
            vector_image = gr.Image(label="From the vector", format="png",
                                    type="numpy", elem_id="vector-image",
                                    interactive=False, height=280)

        def show_samples(seed_value, class_value):
            images, scores = explorer.samples(
                seed_value, NUM_SAMPLES, class_value if conditional else None)
            gallery = [(image, f"{score:.3f}") for image, score
                       in zip(pixels(images), scores)]
            return gallery, images

        sample_inputs = [seed, label]
        for event in (seed.change, label.change, app.load):
            event(guarded(show_samples, 2), sample_inputs,
                  [samples, state, message])
        new_seed.click(lambda: int(np.random.default_rng().integers(2**31)),
                       None, seed)

        def show_nearest(shown, event: gr.SelectData):  # type: ignore[name-defined]
            # Not `guarded`: Gradio passes the click by this annotation.
            try:
                if shown is None:
                    raise ValueError("no samples shown yet.")
                indices, distances, images = explorer.nearest(
                    shown[event.index])
            except ValueError as error:
                return gr.update(), f"**Error:** {error}"
            return [(image, f"#{i}: {d:.2f}") for image, i, d
                    in zip(pixels(images), indices, distances)], ""

        samples.select(show_nearest, state, [nearest, message])

        def show_vector(text, class_value):
            vector_value = explorer.parse_latent(text)
            images = explorer.images(vector_value[None],
                                     class_value if conditional else None)
            return (pixels(images)[0],)

        from_vector.click(guarded(show_vector, 1), [vector, label],
                          [vector_image, message])

        with gr.Tab("Latent walk"):
            with gr.Row():
                seed_a = gr.Number(0, label="From seed", precision=None,
                                   elem_id="seed-a")
                seed_b = gr.Number(1, label="To seed", precision=None,
                                   elem_id="seed-b")
                steps = gr.Number(8, label="Steps", precision=None,
                                  elem_id="steps")
                method = gr.Radio(["spherical", "linear"],
                                  value="spherical", label="Interpolation",
                                  elem_id="method")
            step = gr.Slider(0, 7, value=0, step=1, label="Step",
                             elem_id="step")
            walk_image = gr.Image(label="The step's image", format="png",
                                  type="numpy", interactive=False,
                                  elem_id="walk-image", height=280)
            walk_score = gr.Markdown("", elem_id="walk-score")
            walk_strip = gr.Gallery(label="Every step (step: critic's "
                                    "score)", columns=8, format="png",
                                    allow_preview=False, elem_id="walk",
                                    height="auto")

        def show_walk(a, b, count, how, position, class_value):
            images, scores = explorer.walk(
                a, b, count, how, class_value if conditional else None)
            position = min(int(position), len(images) - 1)
            shown = pixels(images)
            return (shown[position], f"critic score {scores[position]:.3f}",
                    [(image, f"{i}: {score:.3f}")
                     for i, (image, score) in enumerate(zip(shown, scores))],
                    gr.update(maximum=len(images) - 1))

        walk_inputs = [seed_a, seed_b, steps, method, step, label]
        walk_outputs = [walk_image, walk_score, walk_strip, step, message]
        for control in (seed_a, seed_b, steps, method, step, label):
            control.change(guarded(show_walk, 4), walk_inputs, walk_outputs)
        app.load(guarded(show_walk, 4), walk_inputs, walk_outputs)

        if conditional:
            _class_tab(gr, explorer, guarded, app, message)
        if explorer.run is not None:
            _run_tab(gr, explorer, app)
    return app


def _class_tab(gr, explorer, guarded, app, message):
    with gr.Tab("Classes"):
        gr.Markdown("One row per class; each column is one latent point, "
                    "the same in every row.")
        with gr.Row():
            seed = gr.Number(0, label="Seed", precision=None,
                             elem_id="grid-seed")
            columns = gr.Number(8, label="Columns", precision=None,
                                elem_id="grid-columns")
        grid = gr.Image(label="Classes", format="png", type="numpy",
                        interactive=False, elem_id="class-grid", height=420)

    def show(seed_value, column_count):
        images, count = explorer.class_grid(seed_value, column_count)
        return (_grid_pixels(images, count),)

    for event in (seed.change, columns.change, app.load):
        event(guarded(show, 1), [seed, columns], [grid, message])


def _run_tab(gr, explorer, app):
    import pandas

    curves = explorer.curves()
    epochs = explorer.grid_epochs()
    with gr.Tab("Run"):
        names = [name for name in curves if name != "epoch"]
        rows = [{"epoch": int(epoch) + 1, "metric": name, "value": value}
                for name in names
                for epoch, value in zip(curves.get("epoch", []),
                                        curves[name])]
        gr.LinePlot(pandas.DataFrame(rows, columns=["epoch", "metric",
                                                    "value"]),
                    x="epoch", y="value", color="metric",
                    label="metrics.csv", elem_id="curves")
        choices = [str(e) for e in epochs]
        epoch = gr.Dropdown(choices, value=choices[-1] if choices else None,
                            label="Sample grid of epoch",
                            elem_id="grid-epoch")
        grid = gr.Image(value=epochs[max(epochs)] if epochs else None,
                        label="Sample grid", type="filepath",
                        interactive=False, elem_id="run-grid", height=420)
    epoch.change(lambda e: epochs.get(int(e)) if e else None, epoch, grid)


def serve(app: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          block: bool = True) -> str:
    """Starts the page at `http://host:port`; blocks unless `block=False`.

    Returns:
        The page's URL.
    """
    gr = import_gradio()
    theme = gr.themes.Default(
        # System fonts: the page loads nothing from outside this machine.
        font=["ui-sans-serif", "system-ui", "sans-serif"],
        font_mono=["ui-monospace", "monospace"])
    app.launch(server_name=host, server_port=port, share=False,
               prevent_thread_lock=not block, inbrowser=False, quiet=True,
               ssr_mode=False, theme=theme, css=_CSS, show_error=True,
               footer_links=[])
    return f"http://{host}:{port}"
