from .changes import changes_read, changes_record, changes_sequence

__all__ = ["changes_read", "changes_record", "changes_sequence"]
