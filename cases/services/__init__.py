"""The writes: importing letter files (``importing``), storing parsed letters
(``storing``), re-parsing stored letters from their stored text through the same writers
(``reparsing``) and keeping the search index in step with the database (``indexing``).
Callers import the public names from here; saved searches (``following``) and their alert
e-mails (``alerts``) are imported from their modules."""

from __future__ import annotations

from cases.services.importing import (
    DEFAULT_BATCH_SIZE,
    ImportReport,
    ImportStopped,
    find_letter_files,
    import_determinations,
    read_and_parse,
)
from cases.services.indexing import (
    INDEX_COMMIT_EVERY,
    check_index,
    each_with_items,
    index_determinations,
    index_document,
    rebuild_index,
    repair_index,
)
from cases.services.reparsing import ReparseReport, reparse_determinations
from cases.services.storing import (
    Letter,
    determination_fields,
    source_name,
    write_children,
    write_letters,
)

__all__ = ["DEFAULT_BATCH_SIZE", "INDEX_COMMIT_EVERY", "ImportReport", "ImportStopped",
           "Letter", "ReparseReport", "check_index", "determination_fields", "each_with_items",
           "find_letter_files", "import_determinations", "index_determinations",
           "index_document", "read_and_parse", "rebuild_index", "reparse_determinations",
           "repair_index", "source_name", "write_children", "write_letters"]
