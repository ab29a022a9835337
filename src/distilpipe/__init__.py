"""distilpipe: distil a large chat model into a small one (the DistilQwen2 recipe)."""

__version__ = "0.1.0"
