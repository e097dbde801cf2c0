"""The explorer page in a real browser: `python -m keras_wgan explore`
served on the loopback address, driven through Playwright by a headless
Chromium (Debian's `chromium` package; no `playwright install`), checking
that the images shown change with the controls and are the pixels of
`generate(...)` for those inputs.

Slow tier; `.ci/run` installs chromium and runs this module on the torch
backend, with `KERAS_WGAN_REQUIRE_BROWSER=1` so that it fails rather than
skips without chromium, Playwright or Gradio. Every request the page makes to anything but the loopback address
is refused and fails the test. Set `KERAS_WGAN_SCREENSHOT_DIR` to keep the
screenshot of the page (docs/images/explore.png is made so).
"""

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import keras
import numpy as np
import pytest

import keras_wgan
from keras_wgan import cli
from keras_wgan import latent
from keras_wgan.explorer import Explorer
from keras_wgan.explorer.session import pixels
from keras_wgan.image_grids import image_grid
from tests.cli.helpers import CLI_RUN
from tests.cli.helpers import ROOT

pytestmark = pytest.mark.slow
if os.environ.get("KERAS_WGAN_REQUIRE_BROWSER"):
    import gradio  # noqa: F401  (fails, rather than skips, without it)
    from playwright import sync_api
else:
    sync_api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("gradio")
CHROMIUM = (os.environ.get("KERAS_WGAN_CHROMIUM")
            or shutil.which("chromium") or shutil.which("chromium-browser"))
LOOPBACK = ("127.0.0.1", "localhost")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve(tmp_path):
    """Starts `explore` with the given options; yields its URL."""
    servers = []

    def start(*options):
        port = free_port()
        log = open(tmp_path / f"explore_{port}.log", "w")
        server = subprocess.Popen(
            [sys.executable, "-m", "keras_wgan", "explore", *options,
             "--port", str(port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONPATH=ROOT))
        servers.append(server)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return url
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise AssertionError(
                    "explore did not start:\n"
                    + (tmp_path / f"explore_{port}.log").read_text())
            time.sleep(0.5)

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def page():
    if CHROMIUM is None:
        if os.environ.get("KERAS_WGAN_REQUIRE_BROWSER"):
            pytest.fail("no chromium, and KERAS_WGAN_REQUIRE_BROWSER is set")
        pytest.skip("no chromium (apt-get install chromium)")
    outside = []

    def loopback_only(route):
        if urllib.parse.urlparse(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses;
        # --disable-dev-shm-usage: containers often have a tiny /dev/shm.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        page.route("**/*", loopback_only)
        yield page
        browser.close()
    assert outside == [], "the page asked for outside addresses"


def shown(page, selector, index=0):
    """The RGB pixels of the `index`-th image under `selector`, as served."""
    from PIL import Image

    image = page.locator(f"{selector} img").nth(index)
    source = image.get_attribute("src")
    body = page.request.get(urllib.parse.urljoin(page.url, source)).body()
    return source, np.asarray(Image.open(io.BytesIO(body)).convert("RGB"))


def wait_changed(page, selector, before):
    page.wait_for_function(
        "([s, b]) => { const i = document.querySelector(s + ' img');"
        " return i !== null && i.getAttribute('src') !== b; }",
        arg=[selector, before])


def assert_pixels(actual, expected):
    # The server computes in another process: a rounding step may differ.
    assert actual.shape == expected.shape
    difference = np.abs(actual.astype(int) - expected.astype(int))
    assert difference.max() <= 1 and (difference > 0).mean() < 0.01


def enter(page, selector, value):
    field = page.locator(selector)
    field.fill(str(value))
    field.press("Enter")


def test_pretrained_page_follows_seed_slider_and_vector(serve, page,
                                                        tmp_path):
    gan = keras_wgan.pretrained("mnist-wgan-gp")
    explorer = Explorer(gan, keras_wgan.data.load_mnist("train"))
    page.goto(serve("--pretrained", "mnist-wgan-gp"))
    page.wait_for_selector("#samples img")
    assert page.locator("#samples img").count() == 16
    first, image = shown(page, "#samples")
    expected = pixels(gan.generate(16, seed=0))
    assert_pixels(image, expected[0])
    assert_pixels(shown(page, "#samples", 15)[1], expected[15])

    enter(page, "#seed input", 5)
    wait_changed(page, "#samples", first)
    source, image = shown(page, "#samples", 3)
    assert_pixels(image, pixels(gan.generate(16, seed=5))[3])

    page.locator("#new-seed").click()
    wait_changed(page, "#samples", shown(page, "#samples")[0])
    seed = int(page.locator("#seed input").input_value())
    assert seed != 5
    assert_pixels(shown(page, "#samples")[1],
                  pixels(gan.generate(16, seed=seed))[0])

    # A sample's nearest training images.
    page.locator("#samples img").nth(2).click()
    page.wait_for_selector("#nearest img")
    indices, _, images = explorer.nearest(gan.generate(16, seed=seed)[2])
    assert_pixels(shown(page, "#nearest")[1], pixels(images)[0])
    caption = page.locator("#nearest").inner_text()
    assert f"#{indices[0]}:" in caption
    screenshot = tmp_path / "explore.png"
    page.screenshot(path=str(screenshot))
    if os.environ.get("KERAS_WGAN_SCREENSHOT_DIR"):
        shutil.copy(screenshot, os.environ["KERAS_WGAN_SCREENSHOT_DIR"])

    # Bad input: a message in the page, the images left as they were.
    before = shown(page, "#samples")[0]
    enter(page, "#seed input", -1)
    page.locator("#message", has_text="seed must be a whole number >= 0, "
                 "got -1").wait_for()
    assert shown(page, "#samples")[0] == before
    enter(page, "#vector textarea, #vector input", "1, 2, 3")
    page.locator("#from-vector").click()
    page.locator("#message", has_text="the latent vector must have 128 "
                 "numbers (the model's latent size), got 3.").wait_for()
    vector = np.linspace(-1, 1, 128).astype("float32")
    enter(page, "#vector textarea, #vector input",
          ", ".join(f"{v:.6f}" for v in vector))
    page.locator("#from-vector").click()
    page.wait_for_selector("#vector-image img")
    noise = np.float32([float(f"{v:.6f}") for v in vector])[None]
    assert_pixels(shown(page, "#vector-image")[1],
                  pixels(gan.generate_from(noise))[0])

    # The latent walk: the slider picks the step, the method the path.
    page.get_by_role("tab", name="Latent walk").click()
    page.wait_for_selector("#walk-image img")
    start, end = explorer.noise(0)[0], explorer.noise(1)[0]
    spherical = pixels(gan.generate_from(latent.interpolate(start, end, 8)))
    source, image = shown(page, "#walk-image")
    assert_pixels(image, spherical[0])
    enter(page, "#step input[type=number]", 3)
    wait_changed(page, "#walk-image", source)
    source, image = shown(page, "#walk-image")
    assert_pixels(image, spherical[3])
    page.get_by_label("linear").check()
    wait_changed(page, "#walk-image", source)
    linear = pixels(gan.generate_from(
        latent.interpolate(start, end, 8, "linear")))
    assert_pixels(shown(page, "#walk-image")[1], linear[3])
    assert not np.array_equal(linear[3], spherical[3])


def test_conditional_run_page_picks_classes_and_shows_the_run(
        serve, page, tmp_path):
    run = tmp_path / "run"
    assert cli.main(["train", "--out", str(run), "--conditional", "--epochs",
                     "2", "--num-images", "16", *CLI_RUN]) == 0
    model = keras.models.load_model(run / "model.keras")
    page.goto(serve("--run", str(run)))
    page.wait_for_selector("#samples img")
    first, image = shown(page, "#samples")
    assert_pixels(image, pixels(model.generate(16, labels=0, seed=0))[0])
    enter(page, "#class input", 3)
    wait_changed(page, "#samples", first)
    assert_pixels(shown(page, "#samples", 5)[1],
                  pixels(model.generate(16, labels=3, seed=0))[5])
    enter(page, "#class input", 10)
    page.locator("#message", has_text="class must be a whole number in "
                 "[0, 9], got 10").wait_for()

    page.get_by_role("tab", name="Classes").click()
    page.wait_for_selector("#class-grid img")
    images, columns = model.class_grid(80, seed=0)
    assert_pixels(shown(page, "#class-grid")[1],
                  np.repeat(image_grid(images, columns), 3, axis=-1))

    page.get_by_role("tab", name="Run").click()
    page.wait_for_selector("#run-grid img")
    source = page.locator("#run-grid img").get_attribute("src")
    served = page.request.get(urllib.parse.urljoin(page.url, source)).body()
    assert served == (run / "samples" / "epoch_002.png").read_bytes()
    page.locator("#curves").wait_for()
