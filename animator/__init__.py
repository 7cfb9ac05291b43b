"""animator: pictures, animations, exports and the command line of landscape-animator."""

__version__ = "0.1.0"
