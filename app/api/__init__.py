"""The HTTP API (`reelroute serve`): FastAPI under /v1, one router per resource."""
