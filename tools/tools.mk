# tools: filled in by the tools issue.
