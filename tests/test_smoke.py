import subprocess
import sys


def test_landscapes_never_imports_matplotlib():
    code = "import sys, landscapes; assert not any(m.startswith('matplotlib') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
