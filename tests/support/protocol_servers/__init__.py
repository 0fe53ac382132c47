"""Local HTTP servers that speak the TOP and 聚水潭 protocols, for testing the API clients against the protocol."""
