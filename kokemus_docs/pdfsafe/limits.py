"""The limits within which an untrusted PDF is read, and the errors of reading one."""

from __future__ import annotations

from kokemus_docs.core.errors import KokemusError

# The one size limit of a returned file (hour form, questionnaire, survey export), in ingest, the reader and the
# web upload alike: an issued hour form is ~100 KB, a filled one with an embedded font well under 1 MB.
MAX_FILE_BYTES = 10 * 1024 * 1024
# Seconds of parsing (processor time) per file; a form takes milliseconds, a flattened one a fraction of a second.
READ_TIME_LIMIT = 5.0
READ_WAIT_FACTOR = 12  # a file is given up after this many times its time limit even when the reader is only waiting
MAX_OBJECTS = 100_000  # objects in the file
MAX_PAGES = 100  # pages in the page tree
MAX_PAGE_TREE_NODES = 1_000  # page tree entries examined (pages and the nodes above them)
MAX_TREE_DEPTH = 32  # nesting of the page tree and of the field tree
MAX_FIELD_NODES = 10_000  # field tree entries examined (an hour form with 40 rows has ~420)
MAX_NAME_CHARS = 500  # one full field name
MAX_VALUE_BYTES = 40_000  # one field value as stored (text fields hold at most 2,000 characters; UTF-16 doubles)
MAX_FIELD_TEXT_BYTES = 4 * 1024 * 1024  # all field names and values together
MAX_TEXT_PAGES = 10  # a PDF without fields is read from its page text only up to this many pages
MAX_CONTENT_BYTES = 8 * 1024 * 1024  # decoded content streams of those pages together
MAX_PAGE_CHARS = 30_000  # characters on one page (a flattened hour form page has ~2,000)
MAX_PAGE_SHAPES = 30_000  # drawn lines, curves and rectangles on one page
WORKER_MEMORY_LIMIT = 1024 * 1024 * 1024  # address space of the reading process, bytes
WORKER_START_LIMIT = 120.0  # seconds for a fresh worker to import its libraries (a busy machine is slow)
MAX_REPLY_BYTES = 64 * 1024 * 1024


class FormUnreadable(KokemusError):
    """A returned file cannot be read as a form. `code` says why; the message says what is wrong (and, from
    read_form, what to do). `what` is the reason alone, without file name or advice.

    Codes: not-pdf, too-large, damaged, encrypted, too-complex (limits or the time limit exceeded); read_form
    adds scanned, wrong-layout, identity-missing and page-text-unclear.
    """

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, code: str | None = None, what: str = ""):
        super().__init__(message, path=path, code=code)
        self.what = what or message


class ReaderUnavailable(KokemusError):
    """The PDF reading process cannot be started: no file can be read, so none may be rejected for it."""

    def __init__(self, detail: str):
        super().__init__(f"The PDF reading process {detail}; no returned form was read or rejected. Run the "
                         "command again when the machine is less busy; if this persists, reinstall kokemus-docs "
                         "(make setup).", code="reader-unavailable")


def failure(code: str, what: str) -> FormUnreadable:
    """A FormUnreadable of `code` whose message is `what` alone (the caller adds the file and the advice)."""
    return FormUnreadable(what, code=code, what=what)
