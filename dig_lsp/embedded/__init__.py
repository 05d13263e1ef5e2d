"""Languages embedded in workflow files: ``${...}`` templates (JavaScript) and SQL.

Each gets a small pipeline with an offset map back to the host text, so a problem found in
the embedded text is reported at its exact place in the ``.dig`` (or ``.sql``) file.
"""
