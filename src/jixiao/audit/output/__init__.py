"""Renderings of an AuditResult: plain text, a self-contained HTML page, a draft 复核意见 (.docx)."""
