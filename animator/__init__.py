"""animator: pictures, animations, exports and the command line of landscape-animator.

Every capability is a function here, returning a product that ``save(path)``s by suffix and
shows itself in a notebook: ``plot``, ``animate``, ``basins``, ``sweep``, ``history``,
``responses``, ``gallery``, ``net`` (see ``animator.api``). They are imported on first use, so the
command line starts without loading matplotlib.
"""

__version__ = "0.1.0"

__all__ = [
    "Animation",
    "BasinMaps",
    "Gallery",
    "History",
    "Picture",
    "Product",
    "Responses",
    "Sweeps",
    "animate",
    "basins",
    "gallery",
    "history",
    "make_scene",
    "net",
    "plot",
    "responses",
    "sweep",
]


def __getattr__(name: str):
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'animator' has no attribute {name!r}")
