"""slant: find the spans of a news text where the writer persuades instead of informs."""

from slant.spans import Span

__all__ = ["Span"]
__version__ = "0.1.0"
