"""Reading untrusted PDFs safely: a worker process parses each file within fixed limits and answers in JSON.

Returned files come from anyone on the network, so every file is parsed by qpdf (pikepdf) and, for forms that
were printed or flattened, pdfplumber, in a separate worker process, within fixed limits: file size, pages,
objects, fields, nesting, value lengths and characters on a page, and a time limit that stops the worker
(runaway C code included) and starts a fresh one for the next file. Only plain data (JSON) comes back.

- `pdfsafe.reader`: `read_pdf(data)` / `read_fields(data)`, any AcroForm's field values by full field name, or a
  flattened PDF's characters and drawn shapes by page. Failures raise `FormUnreadable` with a `code`.
- `pdfsafe.limits`: the limits and the two errors; `pdfsafe.worker`: the worker process as the caller sees it;
  `pdfsafe.walk`: what runs inside it (the bounded walks of the page tree, the field tree and the page text).
"""
