"""A real notebook, executed by nbclient in a fresh kernel: an Animation shows as the player, a
Picture as a PNG, and a second display of the animation reuses the first one's HTML."""

from __future__ import annotations

import base64
import io

import nbformat
from nbclient import NotebookClient
from PIL import Image

from tests.browser import chromium, open_html

CELLS = [
    "import animator\n"
    "anim = animator.animate('simple_quad', ['adam:lr=0.1', 'sgd'], steps=12,"
    " size=(320, 240), dpi=40)\n"
    "anim",
    "first = anim._repr_html_()\nanim  # displayed again\n",
    "assert anim._repr_html_() is first  # cached: the second display made nothing new\n"
    "print('cached', len(first))",
    "animator.plot('simple_quad', ['adam:lr=0.1'], steps=12, size=(320, 240), dpi=40)",
]


def run_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False).execute()
    return nb


def test_notebook_shows_the_player_and_a_png():
    nb = run_notebook()
    shown = [out["data"] for out in nb.cells[0].outputs if out["output_type"] == "execute_result"]
    assert len(shown) == 1
    html = shown[0]["text/html"]
    assert html.startswith('<div class="la-player"') and "<video" not in html
    assert "image/png" not in shown[0]  # the player alone, no still picture made as well
    again = [o["data"] for o in nb.cells[1].outputs if o["output_type"] == "execute_result"]
    assert again[0]["text/html"] == html
    assert "cached" in "".join(o.get("text", "") for o in nb.cells[2].outputs)
    picture = [o["data"] for o in nb.cells[3].outputs if o["output_type"] == "execute_result"]
    png = base64.b64decode(picture[0]["image/png"])
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size == (320, 240)
    # the notebook's outputs play in a browser as they are: both displays of the same cached
    # fragment (same ids) are players of their own
    with chromium() as browser:
        page_html = (
            "<!DOCTYPE html><html><body>"
            f"<p>Out[1]:</p>{html}<p>Out[2]:</p>{again[0]['text/html']}</body></html>"
        )
        loaded = open_html(browser, page_html)
        page = loaded.page
        page.wait_for_function("() => (window.animatorPlayers || []).length === 2")
        page.evaluate(
            "() => { const [a, b] = window.animatorPlayers; a.pause(); b.pause(); "
            "a.setStep(7); b.setStep(3); }"
        )
        assert page.locator(".la-step").all_inner_texts() == ["step 7 / 12", "step 3 / 12"]
        assert loaded.requests == [] and loaded.errors == []
