"""One figure: the map of a surface (2-D or 3-D) with its runs, loss panel, legend, title; and its
animation frames.
"""
