"""The built-in workflow templates, one JSON document per file (file name = template id).

Loaded by `app.services.template_catalog`; the format is `app.core.workflow_templates`.
"""
