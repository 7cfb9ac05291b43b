"""The gallery as data (entries of API requests) and its parallel builder."""
