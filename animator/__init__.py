"""animator: pictures, animations, exports and the command line of landscape-animator.

``animator.plot(...)`` and ``animator.animate(...)`` (see ``animator.api``) return objects that
display inline in Jupyter and save to any supported format. They are imported on first use, so
the command line starts without loading matplotlib.
"""

__version__ = "0.1.0"

__all__ = ["Animation", "Picture", "animate", "make_scene", "net", "plot"]


def __getattr__(name: str):
    if name == "net":  # networks: animator.network (trains, builds the plane, projects)
        from .network import net

        return net
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'animator' has no attribute {name!r}")
