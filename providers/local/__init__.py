"""The built-in offline renderer: procedural motion graphics from ffmpeg filter graphs.

It makes reelroute work with no keys and no network: animated backgrounds per scene kind,
kinetic typography, Ken Burns over a reference image and animated charts for numbers.
"""

from providers.local.provider import MODEL_ID, PROVIDER_ID, LocalProvider, request_fingerprint
from providers.local.spec import Encoding

__all__ = ["MODEL_ID", "PROVIDER_ID", "Encoding", "LocalProvider", "request_fingerprint"]
