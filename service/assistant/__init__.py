"""The assistant as the service runs it. `use_cases`: the one entry point of the API, the pages
and the CLI (ask, stream, the conversation, feedback on an answer); `asking`: what a question
must be; `territory`: the caller's own results as a source; `feedback`: readers' verdicts;
`provider`: one assistant per application."""
