"""Print the SIMD feature groups numpy dispatches to on this CPU beyond its baseline, one line.

``NPY_DISABLE_CPU_FEATURES`` set to this line makes numpy use its baseline loops only (on an
AVX-512 machine with numpy 2.4: X86_V3 X86_V4 AVX512_ICL AVX512_SPR, i.e. AVX2/FMA3 and the
AVX-512 families), so its exp/sin/... round as on an older CPU. The names are the ones
``numpy.show_runtime()`` lists as "found"; on a CPU with nothing beyond the baseline the line is
empty.
"""

try:
    from numpy._core import _multiarray_umath as umath  # numpy >= 2
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core import _multiarray_umath as umath

print(" ".join(f for f in umath.__cpu_dispatch__ if umath.__cpu_features__.get(f)))
