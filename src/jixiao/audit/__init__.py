"""The checker: finds what does not add up in a self-evaluation report, with evidence.

``audit_file(path)`` reads a report and runs every check family; ``audit_document(doc)`` runs them on a
Document already read; ``audit_dossier(dossier, framework)`` checks the figures a dossier states. Each family is a module with ``check(ctx) -> Iterable[Finding]``.
"""

from jixiao.audit.base import AuditContext
from jixiao.audit.runner import (
    CHECKS,
    AuditResult,
    audit_document,
    audit_dossier,
    audit_file,
    document_from_text,
    dossier_document,
    read_document,
)

__all__ = [
    "CHECKS",
    "AuditContext",
    "AuditResult",
    "audit_document",
    "audit_dossier",
    "audit_file",
    "document_from_text",
    "dossier_document",
    "read_document",
]
