"""One module per document format; `jixiao.ingest.read_document` dispatches to them by content."""
