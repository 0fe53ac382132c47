"""Ingest: landing files (Tmall seller-center and ERP exports) into the warehouse's `raw` schema."""
