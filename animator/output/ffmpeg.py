"""A pipe of raw RGBA frames into imageio-ffmpeg's ffmpeg, with failures in one honest line.

Why not ``imageio_ffmpeg.write_frames``: on a failed write it raises an IOError holding ffmpeg's
whole log and command line (7-14 lines, the temporary path among them) and calls the cause
"Broken pipe" -- the side effect seen by us -- when ffmpeg stopped because the disk was full. Here
ffmpeg's stderr goes to an anonymous temporary file, and a failure becomes one ``OSError``
naming the user's file and the real cause (``No space left on device``, ``File too large``...).
The process is registered with ``signals`` so that Ctrl-C kills it before its file is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import tempfile
from fractions import Fraction

from . import signals

#: strerror texts ffmpeg prints, most specific first
_CAUSES = [
    errno.ENOSPC,
    errno.EFBIG,
    errno.EDQUOT,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.EIO,
    errno.ENOMEM,
]


class FfmpegPipe:
    """``with FfmpegPipe(tmp, (w, h), fps, args, name) as pipe: pipe.write(rgba)``."""

    def __init__(
        self,
        path: str | os.PathLike,
        size: tuple[int, int],
        fps: float,
        output_args: list[str],
        name: str | os.PathLike,
    ) -> None:
        import imageio_ffmpeg

        w, h = size
        rate = Fraction(fps).limit_denominator(1001)
        if rate <= 0:
            raise ValueError(f"fps={fps} cannot be given to ffmpeg")
        self.name = os.fspath(name)
        self.cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-f", "rawvideo",
            "-vcodec", "rawvideo",
            "-s", f"{w}x{h}",
            "-pix_fmt", "rgba",
            "-r", str(rate),
            "-i", "-",
            "-an",
            "-vcodec", "libx264",
            "-pix_fmt", "yuv420p",
            "-v", "error",
            *output_args,
            os.fspath(path),
        ]  # fmt: skip
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__; anonymous)
        with signals.deferred():  # never a child that a signal would not stop
            self.proc = subprocess.Popen(
                self.cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self.log,
                start_new_session=True,  # a terminal's Ctrl-C reaches us, and we stop ffmpeg
            )
            signals.register_child(self.proc)

    def __enter__(self) -> FfmpegPipe:
        return self

    def write(self, rgba) -> None:
        try:
            self.proc.stdin.write(rgba)
        except (BrokenPipeError, OSError):
            self._fail()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        if self.proc.wait() != 0:
            self._fail()

    def _fail(self) -> None:
        """Raise the OSError that says why ffmpeg stopped."""
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace")
        raise ffmpeg_error(code, text, self.name)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.close()
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
            signals.unregister_child(self.proc)


def ffmpeg_error(code: int, log: str, name: str) -> OSError:
    """One OSError for ffmpeg's exit ``code`` and its ``log``: the cause, not the symptom."""
    if code == -signal.SIGXFSZ:
        return OSError(errno.EFBIG, os.strerror(errno.EFBIG), name)
    for number in _CAUSES:
        if os.strerror(number) in log:
            return OSError(number, os.strerror(number), name)
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    detail = lines[-1] if lines else f"exit status {code}"
    return OSError(errno.EIO, f"ffmpeg failed: {detail[:200]}", name)
