"""Local HTTP servers that speak the TOP and 聚水潭 protocols, for testing the API clients against the protocol.

The implementations live in the product package (`orchestration.demo_data.simulators`), because `SOURCE_MODE=api`
serves the demo data through them too; these modules re-export them so there is one implementation.
"""
