"""Peer comparison (parangonnage): the engine's peer statistics for a campaign, cached, as views."""
