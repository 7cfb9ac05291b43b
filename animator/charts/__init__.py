"""The other figures: basin maps, learning-rate sweeps, learning histories, update responses, and
their writers.
"""
