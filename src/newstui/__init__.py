"""newstui: a fast, safe terminal news reader."""

__version__ = "0.1.0"
