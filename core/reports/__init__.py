"""Supervision: dashboards over pre-aggregated counts, their reconciliation with the
cases, monthly reports and electronic supervision of overdue cases."""
