"""releasecare: which customers did this deploy touch, and what do we tell each of them?"""

__version__ = "0.1.0"
