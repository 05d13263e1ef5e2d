"""Python tasks of the example project (used by ``py>: scripts.report.Report.run``)."""
