"""Files: the output registry (suffix -> writer), picture and animation writers, the GIF encoder
and palettes, data exports, write-then-rename, progress bars.
"""
