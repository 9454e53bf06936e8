"""GitHub integration: issues and remediation PRs for drift, sticky PR comments, job summaries.

Modules: ``markdown`` (escaping), ``settings`` (config section), ``render`` (templates),
``plan`` (pure: what to do), ``client`` (PyGithub with rate limits and counting),
``reconcile`` (carry out the plan), ``comment`` (PR comments), ``tfblocks`` (which resources a
diff touches), ``summary`` (Actions job summary, annotations, outputs).
Importing this package does not import PyGithub.
"""
