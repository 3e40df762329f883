"""The knowledge base as the service runs it: one base per application (`provider`), search,
the list of documents and a passage in context (`library`), an administrator's upload checked
(`uploads`) and indexed in the background (`jobs`)."""
