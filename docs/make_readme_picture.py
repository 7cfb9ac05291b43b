"""Regenerate docs/hills_and_canyon.png, the README's picture: step 60 of the default animation.

python docs/make_readme_picture.py
"""

import sys
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import animator  # noqa: E402

frame = animator.animate("hills_and_canyon", suite="article").frame(60)
picture = Image.fromarray(frame[..., :3]).quantize(255, method=Image.Quantize.MEDIANCUT)
picture.save(HERE / "hills_and_canyon.png", optimize=True)
print(HERE / "hills_and_canyon.png")
