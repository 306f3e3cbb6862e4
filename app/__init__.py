"""reelroute's product surfaces and orchestration."""

__version__ = "0.1.0"
