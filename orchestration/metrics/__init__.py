"""The metric layer: MetricFlow answers materialised into the warehouse schema `metrics` for the reports."""
