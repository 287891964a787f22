"""iamviz: see AWS IAM role trust — who can become whom, under which conditions, and why.

The packages ``model``, ``loading``, ``analysis``, ``layout`` and ``playback`` are Qt-free; ``render`` and ``gui``
are the Qt layer; ``cli`` is the one command line over both.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
